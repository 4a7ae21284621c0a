/**
 * Security review (issue 22 sharing): shares are loaded once per process (openStores, at start,
 * before a replica leads) and never re-read. Two replicas on one database each hold their own
 * copy, so a revocation made by the leader is unknown to a follower that started before it; when
 * that follower takes over (ha/leader-role.ts: it loads the cluster records, never the shares),
 * the revoked share lets its holder in again (API with TLS credentials, scale/stop at manage, the
 * dashboard). Two `loadClusterShares` over one SQLite database stand in for the two replicas on
 * one PostgreSQL database (replicas.test.ts needs GATEHOUSE_PG_URL).
 *
 * Also: `revoke` forgets the share in memory before the DELETE; when the DELETE fails the owner
 * gets an error, a retry answers 404 ("not shared") though the row is still there, and the share
 * is back after the next restart.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCluster } from '../clusters/testing/test-cluster.js';
import { createClusterStore } from '../store/cluster-store.js';
import { openDatabase } from '../store/db.js';
import { createSecretBox } from '../store/secret-box.js';
import { loadClusterShares } from './cluster-shares.js';

const bob = { name: 'bob', groups: [] };
const share = {
  cluster: 'c1',
  kind: 'user',
  principal: 'bob',
  level: 'manage',
  grantedBy: 'alice',
  grantedAt: 1,
} as const;

async function setup() {
  const db = await openDatabase(':memory:');
  const store = createClusterStore(db, createSecretBox([Buffer.alloc(32, 5)]));
  await store.insertCluster(testCluster({}));
  return db;
}

describe('cluster shares across replicas (review)', () => {
  it('a revocation made by the leader holds on a replica that started before it', async () => {
    const db = await setup();
    const leader = await loadClusterShares(db);
    await leader.grant(share);
    // The follower starts (openStores -> loadClusterShares) while the share holds.
    const follower = await loadClusterShares(db);
    assert.equal(follower.levelFor('c1', bob), 'manage');
    // Alice revokes on the leader; the row is gone from the shared database.
    assert.equal(await leader.revoke('c1', 'user', 'bob'), true);
    assert.deepEqual(await db.selectFrom('cluster_shares').selectAll().execute(), []);
    // The leader dies and the follower takes over (it reads the shares again as it is elected,
    // gateway.ts): bob must have nothing.
    await follower.reload();
    assert.equal(follower.levelFor('c1', bob), null, 'revoked share still held by the new leader');
  });

  it('a revocation whose DELETE fails is not forgotten while the row stays', async () => {
    // A failing DELETE, simulated by renaming the table away for the revocation.
    const db2 = await setup();
    const s2 = await loadClusterShares(db2);
    await s2.grant(share);
    await db2.schema.alterTable('cluster_shares').renameTo('cluster_shares_kept').execute();
    await assert.rejects(s2.revoke('c1', 'user', 'bob'));
    await db2.schema.alterTable('cluster_shares_kept').renameTo('cluster_shares').execute();
    // The row is still there, so the share is still in force after a restart...
    const restarted = await loadClusterShares(db2);
    assert.equal(restarted.levelFor('c1', bob), 'manage');
    // ...and the running process must agree: a retried revocation must not answer "not shared".
    assert.equal(
      await s2.revoke('c1', 'user', 'bob'),
      true,
      'the retry answered 404 while the row survives'
    );
  });
});
