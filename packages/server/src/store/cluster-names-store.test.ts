/**
 * User-given cluster names in the store (migration 0010) on real SQLite, and on PostgreSQL when
 * GATEHOUSE_PG_URL names a server (skipped otherwise): a second cluster of one
 * user with the same name is refused with the user's 422 error, even when it raced past the
 * manager's check; another user's same name, and clusters without a name, are stored freely;
 * the name survives a reload (it is part of the options).
 * @module
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { testCluster } from '../clusters/testing/test-cluster.js';
import { GatewayError } from '../errors.js';
import { createClusterStore } from './cluster-store.js';
import { openStoreDatabase, type StoreTarget } from './db.js';
import { createSecretBox } from './secret-box.js';
import { createTestDatabase, pgSkip, type TestDatabase } from './testing/pg-database.js';

const made: TestDatabase[] = [];
after(async () => {
  for (const d of made) await d.drop();
});

const DIALECTS: readonly [string, () => Promise<StoreTarget>, false | string][] = [
  ['SQLite', () => Promise.resolve({ type: 'sqlite', path: ':memory:' }), false],
  [
    'PostgreSQL',
    async () => {
      const d = await createTestDatabase();
      made.push(d);
      return { type: 'postgres', url: d.url, poolSize: 2 };
    },
    pgSkip,
  ],
];

for (const [dialect, target, skip] of DIALECTS) {
  const store = async () =>
    createClusterStore(
      await openStoreDatabase(await target()),
      createSecretBox([Buffer.alloc(32, 7)])
    );
  describeNames(dialect, store, skip);
}

function describeNames(
  dialect: string,
  store: () => Promise<ReturnType<typeof createClusterStore>>,
  skip: false | string
): void {
  describe(`cluster names in the store (${dialect})`, { skip }, () => {
    it('refuses a second cluster of the same user and name, naming the field', async () => {
      const s = await store();
      await s.insertCluster(testCluster({ name: 'a1', options: { cluster_name: 'analysis' } }));
      await assert.rejects(
        s.insertCluster(testCluster({ name: 'a2', options: { cluster_name: 'analysis' } })),
        (e: unknown) => {
          assert.ok(e instanceof GatewayError);
          assert.equal(e.code, 'invalid_option');
          assert.equal(e.field, 'cluster_name');
          assert.match(e.message, /'analysis' is taken/);
          return true;
        }
      );
      assert.deepEqual(
        (await s.loadAll()).map((c) => c.name),
        ['a1']
      );
    });

    it("stores another user's same name and any number of unnamed clusters", async () => {
      const s = await store();
      await s.insertCluster(testCluster({ name: 'a1', options: { cluster_name: 'analysis' } }));
      await s.insertCluster(
        testCluster({ name: 'b1', username: 'bob', options: { cluster_name: 'analysis' } })
      );
      await s.insertCluster(testCluster({ name: 'a2', options: { cluster_name: '' } }));
      await s.insertCluster(testCluster({ name: 'a3', options: {} }));
      const loaded = await s.loadAll();
      assert.deepEqual(loaded.map((c) => [c.name, c.options['cluster_name'] ?? null]).sort(), [
        ['a1', 'analysis'],
        ['a2', ''],
        ['a3', null],
        ['b1', 'analysis'],
      ]);
    });
  });
}
