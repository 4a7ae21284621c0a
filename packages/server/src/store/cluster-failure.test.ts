/**
 * A cluster's failure condition (reason, bounded evidence, time) is stored in its own columns
 * and comes back after the store is closed and reopened on the same file, apart from the
 * status, target and stop reason; a cluster that never failed loads with no failure.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Job, type ClusterRecord } from '../clusters/model.js';
import { createClusterStore, type ClusterStore } from './cluster-store.js';
import { openDatabase } from './db.js';
import { createSecretBox } from './secret-box.js';
import { testCluster } from '../clusters/testing/test-cluster.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function openStore(file: string): Promise<ClusterStore> {
  return createClusterStore(await openDatabase(file), createSecretBox([Buffer.alloc(32, 1)]));
}

function cluster(name: string): ClusterRecord {
  return testCluster({ name, status: Job.SUBMITTED, count: 0 });
}

describe('cluster failure condition', () => {
  it('survives closing and reopening the store, apart from status and target', async () => {
    const d = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-failure-'));
    dirs.push(d);
    const file = path.join(d, 'gatehouse.sqlite');
    const store = await openStore(file);
    const failed = cluster('c1');
    const healthy = cluster('c2');
    await store.insertCluster(failed);
    await store.insertCluster(healthy);
    failed.target = Job.FAILED;
    failed.stopReason = 'scheduler exited (exit code 3); last output:\nboom';
    // Past 2^32 ms and past 2^31 s: the time needs a 64-bit column.
    failed.failure = { reason: 'scheduler exited (exit code 3)', evidence: 'boom', at: 2 ** 42 };
    await store.saveCluster(failed);
    await store.close();

    const reopened = await openStore(file);
    const byName = new Map((await reopened.loadAll()).map((c) => [c.name, c]));
    await reopened.close();
    const back = byName.get('c1');
    assert.ok(back);
    assert.deepEqual(back.failure, {
      reason: 'scheduler exited (exit code 3)',
      evidence: 'boom',
      at: 2 ** 42,
    });
    assert.equal(back.target, Job.FAILED);
    assert.equal(back.status, Job.SUBMITTED);
    assert.equal(back.stopReason, 'scheduler exited (exit code 3); last output:\nboom');
    assert.equal(byName.get('c2')?.failure, null, 'a cluster that never failed has none');
  });
});
