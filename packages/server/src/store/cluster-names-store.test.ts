/**
 * User-given cluster names in the store (migration 0010) on real SQLite: a second cluster of one
 * user with the same name is refused with the user's 422 error, even when it raced past the
 * manager's check; another user's same name, and clusters without a name, are stored freely;
 * the name survives a reload (it is part of the options).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCluster } from '../clusters/testing/test-cluster.js';
import { GatewayError } from '../errors.js';
import { createClusterStore } from './cluster-store.js';
import { openDatabase } from './db.js';
import { createSecretBox } from './secret-box.js';

async function store() {
  return createClusterStore(await openDatabase(':memory:'), createSecretBox([Buffer.alloc(32, 7)]));
}

describe('cluster names in the store', () => {
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
