/**
 * Cluster shares on real SQLite: levels by user and by group (the highest wins), revocation
 * forgets at once and in the table, shares survive a reload, and a cluster's shares go with its
 * record.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Job } from '../clusters/model.js';
import { testCluster } from '../clusters/testing/test-cluster.js';
import { createClusterStore } from '../store/cluster-store.js';
import { openDatabase } from '../store/db.js';
import { createSecretBox } from '../store/secret-box.js';
import { loadClusterShares } from './cluster-shares.js';

const bob = { name: 'bob', groups: ['team'] };
const carl = { name: 'carl', groups: ['other'] };
const share = (principal: string, kind: 'user' | 'group', level: 'use' | 'manage') => ({
  cluster: 'c1',
  kind,
  principal,
  level,
  grantedBy: 'alice',
  grantedAt: 1,
});

async function setup(over: Parameters<typeof testCluster>[0] = {}) {
  const db = await openDatabase(':memory:');
  const store = createClusterStore(db, createSecretBox([Buffer.alloc(32, 5)]));
  await store.insertCluster(testCluster(over));
  return { db, store, shares: await loadClusterShares(db) };
}

describe('cluster shares', () => {
  it('gives the highest level held by name or group', async () => {
    const { shares } = await setup();
    assert.equal(shares.levelFor('c1', bob), null);
    await shares.grant(share('team', 'group', 'use'));
    assert.equal(shares.levelFor('c1', bob), 'use');
    assert.equal(shares.levelFor('c1', carl), null);
    await shares.grant(share('bob', 'user', 'manage'));
    assert.equal(shares.levelFor('c1', bob), 'manage');
    await shares.grant(share('bob', 'user', 'use'));
    assert.equal(shares.levelFor('c1', bob), 'use');
    assert.deepEqual(shares.sharedWith(bob), ['c1']);
    assert.deepEqual(shares.sharedWith(carl), []);
  });

  it('revokes at once and in the table; grants survive a reload', async () => {
    const { db, shares } = await setup();
    await shares.grant(share('bob', 'user', 'manage'));
    await shares.grant(share('team', 'group', 'use'));
    assert.equal(await shares.revoke('c1', 'user', 'bob'), true);
    assert.equal(shares.levelFor('c1', bob), 'use');
    assert.equal(await shares.revoke('c1', 'user', 'bob'), false);
    const reloaded = await loadClusterShares(db);
    assert.deepEqual(
      reloaded.list('c1').map((s) => [s.kind, s.principal, s.level]),
      [['group', 'team', 'use']]
    );
  });

  it("goes with its cluster's record", async () => {
    const stopped = { status: Job.STOPPED, target: Job.STOPPED, stopTime: 2 } as const;
    const { db, store, shares } = await setup(stopped);
    await shares.grant(share('bob', 'user', 'use'));
    assert.deepEqual(await store.deleteFinishedBefore(3), ['c1']);
    assert.deepEqual(await db.selectFrom('cluster_shares').selectAll().execute(), []);
  });
});
