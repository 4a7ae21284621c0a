/**
 * `db copy` from SQLite to a real PostgreSQL (skipped without GATEHOUSE_PG_URL): every table's
 * rows arrive (clusters with their sealed secrets and backend state, workers, access, audit,
 * events, the instance id), database-assigned ids carry on after the copied ones, a target that
 * is not empty is refused unless forced, and `db check` on the copy finds nothing pending and
 * the same key opening the secrets (a different key does not).
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { BackendState } from '../clusters/model.js';
import { testCluster } from '../clusters/testing/test-cluster.js';
import { loadConfig } from '../config/load.js';
import { createAccessStore } from './access-store.js';
import { createClusterStore } from './cluster-store.js';
import { openStoreDatabase, type StoreTarget } from './db.js';
import { loadOrCreateInstanceId } from './instance-id.js';
import { createSecretBox } from './secret-box.js';
import { checkStore } from './store-admin.js';
import { TargetNotEmptyError, copyStore } from './store-copy.js';
import { createTestDatabase, pgSkip, type TestDatabase } from './testing/pg-database.js';

const made: TestDatabase[] = [];
const dirs: string[] = [];
after(async () => {
  for (const d of made) await d.drop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const KEY = Buffer.alloc(32, 9);
/** A backend's opaque state blob (here a process id). */
const pid = (n: number) => ({ pid: n }) as BackendState;

/** An SQLite store with a cluster, a worker, a grant, two requests and an audit entry. */
async function seededSqlite(): Promise<{ target: StoreTarget; instanceId: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-copy-'));
  dirs.push(dir);
  const target: StoreTarget = { type: 'sqlite', path: path.join(dir, 'gatehouse.db') };
  const db = await openStoreDatabase(target);
  const store = createClusterStore(db, createSecretBox([KEY]));
  const c = testCluster({ token: 'tok-secret', tlsKey: 'key-secret', state: pid(4242) });
  await store.insertCluster(c);
  await store.insertWorker({
    name: 'w1',
    clusterName: c.name,
    status: 2,
    target: 2,
    state: pid(4343),
    closeExpected: false,
    startTime: 1,
    stopTime: null,
  });
  const access = createAccessStore(db);
  await access.grant('alice', 'admin', 1);
  await access.fileRequest('bob', 'please', 2);
  await access.fileRequest('carol', 'me too', 3);
  await access.audit({
    time: 4,
    actor: 'a',
    action: 'grant',
    target: 'alice',
    outcome: 'ok',
    detail: '',
  });
  const instanceId = await loadOrCreateInstanceId(db);
  await store.close();
  return { target, instanceId };
}

function pgConfig(url: string, key: Buffer) {
  return loadConfig({
    values: { store: { type: 'postgres', url, encryption_keys: [key.toString('base64')] } },
    env: {},
    defaultPythonEnv: '/x',
  });
}

describe('db copy SQLite → PostgreSQL', { skip: pgSkip }, () => {
  it('copies every row; ids carry on; the same key opens the secrets', async () => {
    const { target: from, instanceId } = await seededSqlite();
    const d = await createTestDatabase();
    made.push(d);
    const to: StoreTarget = { type: 'postgres', url: d.url, poolSize: 2 };
    const r = await copyStore(from, to);
    assert.equal(r.rows['clusters'], 1);
    assert.equal(r.rows['workers'], 1);
    assert.equal(r.rows['access_requests'], 2);
    assert.ok(r.keyIds.length === 1);

    const db = await openStoreDatabase(to);
    const store = createClusterStore(db, createSecretBox([KEY]));
    try {
      const [c] = await store.loadAll();
      assert.ok(c !== undefined);
      assert.deepEqual([c.token, c.tlsKey, c.state], ['tok-secret', 'key-secret', { pid: 4242 }]);
      assert.deepEqual(c.workers.get('w1')?.state, { pid: 4343 });
      assert.equal(await loadOrCreateInstanceId(db), instanceId, 'the same installation');
      const access = createAccessStore(db);
      const next = await access.fileRequest('dave', 'hi', 5);
      assert.equal(next.id, 3, 'the identity sequence carries on after the copied ids');
      assert.equal(await access.isGranted('alice'), true);
    } finally {
      await store.close();
    }

    const ok = await checkStore(pgConfig(d.url, KEY));
    assert.deepEqual([ok.pending, ok.keyProblem, ok.secrets.opened], [[], null, 2]);
    const wrong = await checkStore(pgConfig(d.url, Buffer.alloc(32, 1)));
    assert.match(wrong.keyProblem ?? '', /not among the configured keys/);

    await assert.rejects(copyStore(from, to), TargetNotEmptyError, 'a non-empty target is refused');
    const forced = await copyStore(from, to, { force: true });
    assert.equal(forced.rows['access_requests'], 2, 'forced: the rows are replaced, not added');
  });
});
