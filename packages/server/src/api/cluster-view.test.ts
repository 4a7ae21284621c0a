/**
 * The Gatehouse-only cluster view carries a failed cluster's failure condition (reason,
 * evidence, time) apart from its status and stop reason, and `null` for one that never failed.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Job, newWorker, type ClusterRecord, type WorkerRecord } from '../clusters/model.js';
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

/** A worker of cluster c1 in state `status`, wanted in state `target`. */
function worker(name: string, status: WorkerRecord['status'], target = Job.RUNNING): WorkerRecord {
  return { ...newWorker({ name: 'c1' }, name, 1_000), status, target };
}

/** Cluster c1 with `workers`. */
function withWorkers(over: Partial<ClusterRecord>, workers: WorkerRecord[]): ClusterRecord {
  return cluster({ ...over, workers: new Map(workers.map((w) => [w.name, w])) });
}

describe('clusterView numbers (issue 16: numbers that are not true)', () => {
  const cfg = testCluster().config;

  it('counts as running only the workers its scheduler reported connected', () => {
    const c = withWorkers({ count: 3 }, [
      worker('w1', Job.RUNNING),
      worker('w2', Job.SUBMITTED),
      worker('w3', Job.CREATED),
    ]);
    const v = clusterView(c, 2_000);
    assert.equal(v.workers_running, 1);
    assert.equal(v.workers, 1);
    assert.equal(v.workers_starting, 2);
    assert.equal(v.workers_target, 3);
    assert.equal(v.requested_workers, 3);
  });

  it('holds the cores and memory of the processes that run now', () => {
    const c = withWorkers({ count: 2 }, [worker('w1', Job.RUNNING), worker('w2', Job.CREATED)]);
    const v = clusterView(c, 2_000);
    assert.equal(v.cores, cfg.scheduler_cores + cfg.worker_cores);
    assert.equal(v.memory, cfg.scheduler_memory + cfg.worker_memory);
  });

  it('holds nothing once STOPPED or FAILED, whatever its last records said', () => {
    for (const status of [Job.STOPPED, Job.FAILED]) {
      const c = withWorkers({ status, target: status, count: 2, stopTime: 1_500 }, [
        worker('w1', Job.RUNNING),
        worker('w2', Job.RUNNING),
      ]);
      const v = clusterView(c, 2_000);
      assert.deepEqual(
        [v.workers_running, v.workers_starting, v.workers_target, v.cores, v.memory],
        [0, 0, 0, 0, 0],
        `status ${String(status)}`
      );
    }
  });

  it('masks secret-looking environment variable values and keeps the rest', () => {
    const c = cluster({
      options: { environment_vars: { API_TOKEN: 'abc', MY_PASSWORD: 'p', FOO: 'bar' }, n: 1 },
    });
    assert.deepEqual(clusterView(c, 2_000).options, {
      environment_vars: { API_TOKEN: '••••', MY_PASSWORD: '••••', FOO: 'bar' },
      n: 1,
    });
  });
});
