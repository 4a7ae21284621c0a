/**
 * Upgrading keeps running clusters. A database written by the previous release (migrations up
 * to 0005, rows without a `version`, the event id mark in `sqlite_sequence`) opens with today's
 * store: the record, its backend state (process ref, isolation identity) and the event ids
 * survive. And a gateway restarted on a database taken back to the previous schema re-adopts
 * the live scheduler its record names, as `clean-restart.test.ts` does without the downgrade.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startGateway } from '../src/gateway.js';
import { Job } from '../src/clusters/model.js';
import { createClusterStore } from '../src/store/cluster-store.js';
import { openDatabase } from '../src/store/db.js';
import { createSecretBox } from '../src/store/secret-box.js';
import { migrationsUpTo } from '../src/store/migrations.js';
import { createEventStore } from '../src/events/event-store.js';
import { decodeLocalState } from '../src/backends/local/local-state.js';
import { processStartTicks } from '../src/process/process-identity.js';

const PREVIOUS = '0005-user-groups';
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-upgrade-'));
  dirs.push(d);
  return d;
}

/** Opens `file` with raw Kysely and migrates it to (or back to) `last`. */
async function migrateTo(file: string, last: string): Promise<Kysely<unknown>> {
  const db = new Kysely<unknown>({
    dialect: new SqliteDialect({ database: new SqliteDatabase(file) }),
  });
  const { error } = await new Migrator({ db, provider: migrationsUpTo('9999') }).migrateTo(last);
  if (error !== undefined) throw new Error(`migrating to ${last} failed`, { cause: error });
  return db;
}

const columns = async (db: Kysely<unknown>, table: string) =>
  (await sql<{ name: string }>`select name from pragma_table_info(${table})`.execute(db)).rows.map(
    (r) => r.name
  );

describe('upgrade from the previous release', () => {
  it('reads records, backend state and event ids as the previous release wrote them', async () => {
    const file = path.join(tempDir(), 'gatehouse.db');
    const box = createSecretBox([Buffer.alloc(32, 3)]);
    const old = await migrateTo(file, PREVIOUS);
    assert.ok(!(await columns(old, 'clusters')).includes('version'), 'the old schema');
    const state = {
      workdir: '/d/clusters/c1',
      process: { pid: 4242, startTicks: 9_876_543 },
      identity: { slot: 3, uid: 900003, gid: 900003, address: '127.201.0.4' },
    };
    // The previous release's INSERTs, column for column.
    await sql`insert into clusters (name, username, options, config, status, target, count,
        state, token_sealed, tls_cert, tls_key_sealed, scheduler_address, dashboard_address,
        api_address, start_time, stop_time, stop_reason, failures)
      values ('c1', 'alice', '{"worker_cores":1}', '{}', 3, 3, 2, ${JSON.stringify(state)},
        ${box.seal('tok')}, 'CERT', ${box.seal('KEY')}, 'tls://127.0.0.1:1', '127.0.0.1:2',
        '127.0.0.1:3', 1700000000123, null, null, 0)`.execute(old);
    await sql`insert into workers (name, cluster_name, status, target, state, close_expected,
        start_time, stop_time)
      values ('w1', 'c1', 3, 3, '{"process":{"pid":4343,"startTicks":5}}', 0, 1700000000456, null)`.execute(
      old
    );
    await sql`insert into events (id, time, type, username, actor) values (41, 1, 't', 'alice', 'a')`.execute(
      old
    );
    await sql`delete from events`.execute(old);
    await old.destroy();

    const db = await openDatabase(file);
    try {
      assert.ok((await columns(db as Kysely<unknown>, 'clusters')).includes('version'));
      const [c] = await createClusterStore(db, box).loadAll();
      assert.ok(c !== undefined);
      assert.equal(c.version, 1, 'existing rows start at version 1');
      assert.deepEqual(c.state, state, 'process ref and isolation identity are kept');
      assert.deepEqual(
        [c.status, c.target, c.count, c.token, c.tlsKey, c.startTime, c.schedulerAddress],
        [Job.RUNNING, Job.RUNNING, 2, 'tok', 'KEY', 1_700_000_000_123, 'tls://127.0.0.1:1']
      );
      const w = c.workers.get('w1');
      assert.deepEqual(
        [w?.version, w?.state, w?.startTime],
        [1, { process: { pid: 4343, startTicks: 5 } }, 1_700_000_000_456]
      );
      c.count = 3;
      await createClusterStore(db, box).saveCluster(c);
      assert.equal(c.version, 2, 'and are written with compare-and-set from there');
      assert.equal(await createEventStore(db).lastId(), 41, 'event ids are never reused');
    } finally {
      await db.destroy();
    }
  });

  it('a gateway re-adopts a scheduler recorded under the previous schema', async () => {
    const dir = tempDir();
    const config = loadConfig({
      values: {
        listen: '127.0.0.1:0',
        data_dir: dir,
        stop_clusters_on_shutdown: false,
        access: { grant_all_authenticated: true, bootstrap_admin_token: false },
        backend: { type: 'local', sigint_timeout: 1, sigterm_timeout: 1, sigkill_timeout: 2 },
        cluster: { scheduler_cmd: ['/bin/sh', '-c', 'exec sleep 300', 'sh'] },
      },
      env: {},
      defaultPythonEnv: '/nonexistent',
    });
    const log = pino({ level: 'silent' });
    const first = await startGateway(config, { log });
    const res = await fetch(`${first.url}/api/v1/clusters/`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from('ann:x').toString('base64')}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    assert.equal(res.status, 201);
    const name = ((await res.json()) as { name: string }).name;
    await first.manager.idle();
    const pid = decodeLocalState(first.manager.get(name)?.state ?? {}).process?.pid;
    assert.ok(pid !== undefined);
    await first.stop();
    try {
      const old = await migrateTo(config.storePath, PREVIOUS);
      assert.ok(!(await columns(old, 'clusters')).includes('version'), 'taken back');
      await old.destroy();
      assert.notEqual(processStartTicks(pid), null, 'the scheduler outlives the gateway');

      const second = await startGateway(config, { log });
      try {
        const c = second.manager.get(name);
        assert.ok(c !== undefined);
        assert.equal(c.status, Job.SUBMITTED);
        assert.equal(decodeLocalState(c.state).process?.pid, pid);
        assert.notEqual(processStartTicks(pid), null, 'adopted, not killed');
        await second.manager.stop(c, 'user');
        await second.manager.idle();
        assert.equal(c.status, Job.STOPPED);
        assert.equal(processStartTicks(pid), null);
      } finally {
        await second.stop();
      }
    } finally {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
});
