/**
 * The store on a real PostgreSQL (skipped without GATEHOUSE_PG_URL), each case on a database of
 * its own: every migration applies and none is left pending; clusters round-trip with their
 * secrets sealed (the row holds no plaintext) and 64-bit times as numbers; access, audit and
 * events work (database-assigned and explicit ids); and the compare-and-set cases of
 * `test/store-cas-cases.ts`, in two processes and in one.
 * @module
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createEventBus } from '../events/event-bus.js';
import { createEventRecorder } from '../events/event-recorder.js';
import { createEventStore } from '../events/event-store.js';
import { testCluster } from '../clusters/testing/test-cluster.js';
import { createAccessStore } from './access-store.js';
import { createClusterStore } from './cluster-store.js';
import { openStoreDatabase, type StoreTarget } from './db.js';
import { pendingMigrations } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { createSecretBox } from './secret-box.js';
import { describeCompareAndSet } from '../../test/store-cas-cases.js';
import { createTestDatabase, pgSkip, type TestDatabase } from './testing/pg-database.js';

const made: TestDatabase[] = [];
after(async () => {
  for (const d of made) await d.drop();
});

async function freshTarget(): Promise<StoreTarget> {
  const d = await createTestDatabase();
  made.push(d);
  return { type: 'postgres', url: d.url, poolSize: 4 };
}

describeCompareAndSet('PostgreSQL', freshTarget, pgSkip);

describe('the store on PostgreSQL', { skip: pgSkip }, () => {
  it(
    'migrates with a pool of one connection (the lock and the migrations share it)',
    { timeout: 20_000 },
    async () => {
      const d = await createTestDatabase();
      made.push(d);
      const db = await openStoreDatabase({ type: 'postgres', url: d.url, poolSize: 1 });
      try {
        assert.deepEqual(await pendingMigrations(db), []);
      } finally {
        await db.destroy();
      }
    }
  );

  it('migrates every step, and nothing is pending after', async () => {
    const db = await openStoreDatabase(await freshTarget());
    try {
      assert.deepEqual(await pendingMigrations(db), []);
      const rows = await db
        .selectFrom('kysely_migration' as never)
        .select('name' as never)
        .execute();
      assert.deepEqual(
        rows.map((r) => (r as { name: string }).name),
        Object.keys(MIGRATIONS)
      );
    } finally {
      await db.destroy();
    }
  });

  it('seals secrets, keeps 64-bit times as numbers, and reads them back', async () => {
    const db = await openStoreDatabase(await freshTarget());
    const box = createSecretBox([Buffer.alloc(32, 3)]);
    const store = createClusterStore(db, box);
    try {
      const c = testCluster({
        token: 'a-secret-cluster-token',
        tlsKey: '-----BEGIN PRIVATE KEY-----x',
        startTime: 2 ** 53 - 10,
      });
      await store.insertCluster(c);
      const row = await db.selectFrom('clusters').selectAll().executeTakeFirstOrThrow();
      assert.ok(!row.token_sealed.includes(c.token), 'the token is not stored in the clear');
      assert.ok(!row.tls_key_sealed.includes(c.tlsKey), 'the TLS key is not stored in the clear');
      assert.equal(box.open(row.token_sealed), c.token);
      const [back] = await store.loadAll();
      assert.ok(back !== undefined);
      assert.equal(back.token, c.token);
      assert.equal(back.tlsKey, c.tlsKey);
      assert.equal(back.startTime, 2 ** 53 - 10);
      assert.equal(typeof back.version, 'number');
    } finally {
      await store.close();
    }
  });

  it('access, audit and events: ids assigned by the database and given explicitly', async () => {
    const db = await openStoreDatabase(await freshTarget());
    try {
      const access = createAccessStore(db);
      await access.grant('alice', 'admin', 5);
      assert.equal(await access.isGranted('alice'), true);
      const r1 = await access.fileRequest('bob', 'please', 6);
      const r2 = await access.fileRequest('carol', 'me too', 7);
      assert.equal(r2.id, r1.id + 1);
      const { token } = await access.issueToken({
        username: 'alice',
        admin: true,
        label: 'x',
        by: 'admin',
        now: 8,
      });
      assert.equal((await access.findToken(token))?.username, 'alice');
      assert.equal(await access.countTokens(), 1);
      await access.audit({
        time: 9,
        actor: 'a',
        action: 'grant',
        target: 'b',
        outcome: 'ok',
        detail: '',
      });
      assert.equal((await access.listAudit({ limit: 10 })).length, 1);

      const events = createEventStore(db);
      const clock = { now: () => 1000 };
      const log = pino({ level: 'silent' });
      const rec = createEventRecorder({ store: events, bus: createEventBus(), clock, log });
      await rec.start();
      rec.record({
        type: 'cluster.created',
        cluster: 'c1',
        username: 'u',
        actor: 'u',
        message: 'm',
      });
      rec.record({
        type: 'cluster.running',
        cluster: 'c1',
        username: 'u',
        actor: 'u',
        message: 'm',
      });
      await rec.flushed();
      const listed = await events.list({ cluster: 'c1', username: null }, null, 10);
      assert.deepEqual(
        listed.map((e) => e.type),
        ['cluster.created', 'cluster.running']
      );
      assert.equal(await events.lastId(), listed[1]?.id);
    } finally {
      await db.destroy();
    }
  });
});
