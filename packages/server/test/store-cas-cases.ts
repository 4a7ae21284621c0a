/**
 * The compare-and-set cases, for any database: two store instances on one database, in two
 * processes and in one, both read version N; the first write wins and bumps the version, the
 * second is refused with a `conflict` error that names the version now stored, and the row keeps
 * the winner's data. Saves of one record within one store are serialized, so they never refuse
 * each other. `cluster-store-cas.test.ts` runs them on SQLite, `postgres-store.test.ts` on
 * PostgreSQL.
 * @module
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Job, type ClusterRecord, type WorkerRecord } from '../src/clusters/model.js';
import { createClusterStore, type ClusterStore } from '../src/store/cluster-store.js';
import { openStoreDatabase, type StoreTarget } from '../src/store/db.js';
import { createSecretBox } from '../src/store/secret-box.js';
import { isStaleWrite } from '../src/store/stale-write.js';
import { testCluster } from '../src/clusters/testing/test-cluster.js';

const key = [Buffer.alloc(32, 1)];

async function openStore(target: StoreTarget): Promise<ClusterStore> {
  return createClusterStore(await openStoreDatabase(target), createSecretBox(key));
}

function cluster(): ClusterRecord {
  return testCluster();
}

function worker(): WorkerRecord {
  return {
    name: 'w1',
    clusterName: 'c1',
    status: Job.RUNNING,
    target: Job.RUNNING,
    state: {},
    closeExpected: false,
    startTime: 1_700_000_000_001,
    stopTime: null,
  };
}

/** A cluster and worker stored at version 1, with the store that wrote them. */
async function seeded(file: StoreTarget) {
  const store = await openStore(file);
  const c = cluster();
  const w = worker();
  c.workers.set(w.name, w);
  await store.insertCluster(c);
  await store.insertWorker(w);
  return { store, c, w };
}

/** Expects `p` to be refused as a lost race against `actual`. */
async function refused(p: Promise<void>, expected: number, actual: number | null) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isStaleWrite(e), String(e));
    assert.equal(e.code, 'conflict');
    assert.deepEqual([e.expected, e.actual], [expected, actual]);
    return true;
  });
}

const here = path.dirname(new URL(import.meta.url).pathname);
const url = (f: string) =>
  JSON.stringify(pathToFileURL(path.join(here, '..', 'src', 'store', f)).href);

/** The other gateway: a child Node process with its own store on the same database. */
function childCode(file: StoreTarget): string {
  return `
    import { createInterface } from 'node:readline';
    const { openStoreDatabase } = await import(${url('db.ts')});
    const { createClusterStore } = await import(${url('cluster-store.ts')});
    const { createSecretBox } = await import(${url('secret-box.ts')});
    const db = await openStoreDatabase(${JSON.stringify(file)});
    const store = createClusterStore(db, createSecretBox([Buffer.alloc(32, 1)]));
    const [c] = await store.loadAll();
    const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
    say({ ok: c.version, worker: c.workers.get('w1').version });
    for await (const line of createInterface({ input: process.stdin })) {
      const [verb, arg] = line.split(' ');
      try {
        if (verb === 'exit') { await store.close(); process.exit(0); }
        if (verb === 'cluster') { c.count = Number(arg); await store.saveCluster(c); say({ ok: c.version }); }
        if (verb === 'worker') { const w = c.workers.get('w1'); w.closeExpected = true; await store.saveWorker(w); say({ ok: w.version }); }
      } catch (e) { say({ code: e.code, expected: e.expected, actual: e.actual }); }
    }`;
}

interface Reply {
  ok?: number;
  worker?: number;
  code?: string;
  expected?: number;
  actual?: number | null;
}

function startChild(file: StoreTarget) {
  const child: ChildProcessWithoutNullStreams = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', childCode(file)],
    { stdio: ['pipe', 'pipe', 'pipe'] }
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Reply> => {
    const r = await lines.next();
    if (r.done === true) throw new Error(`child ended: ${stderr}`);
    return JSON.parse(r.value) as Reply;
  };
  return {
    next,
    ask: (line: string) => {
      child.stdin.write(`${line}\n`);
      return next();
    },
    exited: new Promise<number | null>((resolve) => child.on('exit', resolve)),
    end: () => child.stdin.write('exit\n'),
  };
}

/**
 * Runs the compare-and-set cases on the databases `newTarget` makes (a fresh one per case);
 * `skip` is false or why the cases skip.
 */
export function describeCompareAndSet(
  label: string,
  newTarget: () => Promise<StoreTarget>,
  skip: false | string = false
): void {
  describe(`compare-and-set writes (${label})`, { skip }, () => {
    it('two processes on one database: the loser of each race is refused, never overwrites', async () => {
      const file = await newTarget();
      const { store, c, w } = await seeded(file);
      const other = startChild(file);
      try {
        assert.deepEqual(await other.next(), { ok: 1, worker: 1 }, 'both read version 1');
        assert.deepEqual(await other.ask('cluster 5'), { ok: 2 }, 'the first writer wins');
        c.count = 7;
        await refused(store.saveCluster(c), 1, 2);
        const [stored] = await store.loadAll();
        assert.ok(stored !== undefined);
        assert.deepEqual([stored.count, stored.version], [5, 2], "the winner's write stands");
        // The caller re-reads and retries: that write wins, and now the other process is stale.
        stored.count = 7;
        await store.saveCluster(stored);
        assert.equal(stored.version, 3);
        assert.deepEqual(await other.ask('cluster 9'), {
          code: 'conflict',
          expected: 2,
          actual: 3,
        });
        assert.deepEqual(await other.ask('worker'), { ok: 2 });
        w.status = Job.FAILED;
        await refused(store.saveWorker(w), 1, 2);
        const [again] = await store.loadAll();
        assert.ok(again !== undefined);
        assert.equal(again.count, 7);
        assert.equal(again.workers.get('w1')?.status, Job.RUNNING);
        assert.equal(again.workers.get('w1')?.closeExpected, true);
      } finally {
        other.end();
        await other.exited;
        await store.close();
      }
    });

    it('two stores in one process on one database: the same refusal', async () => {
      const file = await newTarget();
      const { store: a, c } = await seeded(file);
      const b = await openStore(file);
      try {
        const [theirs] = await b.loadAll();
        assert.ok(theirs !== undefined);
        theirs.failures = 2;
        await b.saveCluster(theirs);
        c.status = Job.FAILED;
        await refused(a.saveCluster(c), 1, 2);
        assert.equal((await b.loadAll())[0]?.status, Job.RUNNING);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('concurrent saves of one record in one store all land, in order', async () => {
      const { store, c, w } = await seeded(await newTarget());
      try {
        await Promise.all(
          [2, 3, 4, 5, 6].map((n) => {
            c.count = n;
            return Promise.all([store.saveCluster(c), store.saveWorker(w)]);
          })
        );
        assert.deepEqual([c.version, w.version], [6, 6]);
        const [stored] = await store.loadAll();
        assert.deepEqual([stored?.count, stored?.version], [6, 6]);
      } finally {
        await store.close();
      }
    });

    it('a write to a deleted row is refused, not recreated', async () => {
      const { store, c } = await seeded(await newTarget());
      try {
        c.stopTime = 10;
        await store.saveCluster(c);
        assert.deepEqual(await store.deleteFinishedBefore(11), ['c1']);
        await refused(store.saveCluster(c), 2, null);
        assert.deepEqual(await store.loadAll(), []);
      } finally {
        await store.close();
      }
    });
  });
}
