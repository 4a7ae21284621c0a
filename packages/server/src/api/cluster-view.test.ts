/**
 * The Gatehouse-only cluster view carries a failed cluster's failure condition (reason,
 * evidence, time) apart from its status and stop reason, and `null` for one that never failed.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Job, type ClusterRecord } from '../clusters/model.js';
import { clusterView } from './cluster-view.js';
import { testCluster } from '../clusters/testing/test-cluster.js';

function cluster(over: Partial<ClusterRecord>): ClusterRecord {
  return testCluster({ count: 0, startTime: 1_000, ...over });
}

describe('clusterView failure', () => {
  it('shows the failure condition of a failed cluster', () => {
    const failure = { reason: 'scheduler exited (exit code 3)', evidence: 'boom', at: 5_000 };
    const v = clusterView(
      cluster({
        status: Job.FAILED,
        target: Job.FAILED,
        stopTime: 6_000,
        stopReason: 'scheduler exited (exit code 3); last output:\nboom',
        failure,
      }),
      7_000
    );
    assert.equal(v.status, 'FAILED');
    assert.deepEqual(v.failure, failure);
  });
  it('shows null for a cluster that never failed (positive control)', () => {
    assert.equal(clusterView(cluster({}), 2_000).failure, null);
  });
});
