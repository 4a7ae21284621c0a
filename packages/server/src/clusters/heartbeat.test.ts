/**
 * Tests for heartbeat processing (spec §5.4), on hand-built cluster and worker records.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Heartbeat } from '@gatehouse/api';
import type { ClusterConfig } from '../cluster-options/cluster-config.js';
import { applyHeartbeat } from './heartbeat.js';
import { Job, type ClusterRecord, type JobStatus, type WorkerRecord } from './model.js';

const CONFIG: ClusterConfig = {
  scheduler_cmd: ['dask-scheduler'],
  worker_cmd: ['dask-worker'],
  environment: {},
  worker_memory: 2 ** 31,
  worker_cores: 1,
  worker_threads: 1,
  scheduler_memory: 2 ** 31,
  scheduler_cores: 1,
  adaptive_period: 3,
  idle_timeout: 0,
  cluster_max_memory: null,
  cluster_max_cores: null,
  cluster_max_workers: null,
  python_env: null,
  max_lifetime: null,
  no_client_timeout: null,
};

const ADDRS = {
  scheduler_address: 'tls://127.0.0.1:41233',
  dashboard_address: 'http://127.0.0.1:41234',
  api_address: 'http://127.0.0.1:41235',
};

function cluster(over: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    name: 'c1',
    username: 'alice',
    options: {},
    config: CONFIG,
    status: Job.RUNNING,
    target: Job.RUNNING,
    count: 0,
    state: {},
    token: 'tok',
    tlsCert: '',
    tlsKey: '',
    schedulerAddress: ADDRS.scheduler_address,
    dashboardAddress: ADDRS.dashboard_address,
    apiAddress: ADDRS.api_address,
    startTime: 1000,
    stopTime: null,
    stopReason: null,
    failures: 0,
    failure: null,
    lastHeartbeat: 0,
    workers: new Map(),
    ...over,
  };
}

function worker(
  c: ClusterRecord,
  name: string,
  status: JobStatus,
  over: Partial<WorkerRecord> = {}
): WorkerRecord {
  const w: WorkerRecord = {
    name,
    clusterName: c.name,
    status,
    target: Job.RUNNING,
    state: {},
    closeExpected: false,
    startTime: 1000,
    stopTime: null,
    ...over,
  };
  c.workers.set(name, w);
  return w;
}

function hb(over: Partial<Heartbeat> = {}): Heartbeat {
  return {
    ...ADDRS,
    count: 0,
    active_workers: [],
    closing_workers: [],
    closed_workers: [],
    ...over,
  };
}

const names = (ws: readonly WorkerRecord[]) => ws.map((w) => w.name).sort();

describe('applyHeartbeat: cluster fields', () => {
  it('records the time of the heartbeat', () => {
    const c = cluster();
    applyHeartbeat(c, hb(), 12345, null);
    assert.equal(c.lastHeartbeat, 12345);
  });

  it('records the addresses while the cluster is SUBMITTED', () => {
    const c = cluster({
      status: Job.SUBMITTED,
      schedulerAddress: '',
      dashboardAddress: '',
      apiAddress: '',
    });
    const out = applyHeartbeat(c, hb(), 1, null);
    assert.equal(c.schedulerAddress, ADDRS.scheduler_address);
    assert.equal(c.dashboardAddress, ADDRS.dashboard_address);
    assert.equal(c.apiAddress, ADDRS.api_address);
    assert.equal(out.clusterChanged, true);
    assert.equal(out.reconcileCluster, true);
  });

  it('records the addresses while the cluster is still CREATED (upstream quirk)', () => {
    const c = cluster({ status: Job.CREATED, schedulerAddress: '', apiAddress: '' });
    const out = applyHeartbeat(c, hb({ dashboard_address: '' }), 1, null);
    assert.equal(c.schedulerAddress, ADDRS.scheduler_address);
    assert.equal(c.dashboardAddress, '');
    assert.equal(out.clusterChanged, true);
    assert.equal(out.reconcileCluster, true);
  });

  it('before RUNNING, the same addresses change nothing but still ask for a reconcile', () => {
    const c = cluster({ status: Job.SUBMITTED });
    const out = applyHeartbeat(c, hb(), 1, null);
    assert.equal(out.clusterChanged, false);
    assert.equal(out.reconcileCluster, true);
  });

  it('before RUNNING, a changed single address is recorded', () => {
    const c = cluster({ status: Job.SUBMITTED });
    const out = applyHeartbeat(c, hb({ api_address: 'http://127.0.0.1:9' }), 1, null);
    assert.equal(c.apiAddress, 'http://127.0.0.1:9');
    assert.equal(out.clusterChanged, true);
  });

  it('ignores addresses once RUNNING', () => {
    const c = cluster();
    const out = applyHeartbeat(
      c,
      hb({
        scheduler_address: 'tls://10.0.0.1:1',
        dashboard_address: '',
        api_address: 'http://10.0.0.1:2',
      }),
      1,
      null
    );
    assert.equal(c.schedulerAddress, ADDRS.scheduler_address);
    assert.equal(c.dashboardAddress, ADDRS.dashboard_address);
    assert.equal(c.apiAddress, ADDRS.api_address);
    assert.deepEqual(out, {
      clusterChanged: false,
      reconcileCluster: false,
      changedWorkers: [],
      workersToReconcile: [],
      requestedCount: 0,
    });
  });

  it('stores a changed count and asks for a reconcile', () => {
    const c = cluster();
    const out = applyHeartbeat(c, hb({ count: 3 }), 1, null);
    assert.equal(c.count, 3);
    assert.equal(out.clusterChanged, true);
    assert.equal(out.reconcileCluster, true);
    assert.equal(out.requestedCount, 3);
  });

  it('an unchanged count changes nothing', () => {
    const c = cluster({ count: 2 });
    const out = applyHeartbeat(c, hb({ count: 2, active_workers: ['a', 'b'] }), 1, null);
    assert.equal(out.clusterChanged, false);
    assert.equal(out.reconcileCluster, false);
  });

  it('clamps the count to the max workers and reports the requested count', () => {
    const c = cluster();
    const out = applyHeartbeat(c, hb({ count: 5 }), 1, 2);
    assert.equal(c.count, 2);
    assert.equal(out.requestedCount, 5);
    assert.equal(out.clusterChanged, true);
  });

  it('a count within the limit is not clamped; a limit of 0 allows none', () => {
    const c = cluster();
    applyHeartbeat(c, hb({ count: 2 }), 1, 2);
    assert.equal(c.count, 2);
    const c0 = cluster();
    const out = applyHeartbeat(c0, hb({ count: 4 }), 1, 0);
    assert.equal(c0.count, 0);
    assert.equal(out.clusterChanged, false, 'the clamped count equals the stored one');
    assert.equal(out.requestedCount, 4);
  });

  it('a count clamped to the stored count changes nothing', () => {
    const c = cluster({ count: 3 });
    const out = applyHeartbeat(c, hb({ count: 10 }), 1, 3);
    assert.equal(c.count, 3);
    assert.equal(out.clusterChanged, false);
    assert.equal(out.reconcileCluster, false);
    assert.equal(out.requestedCount, 10);
  });
});

describe('applyHeartbeat: workers', () => {
  it('an active SUBMITTED worker becomes RUNNING', () => {
    const c = cluster({ count: 1 });
    const w = worker(c, 'w1', Job.SUBMITTED);
    const out = applyHeartbeat(c, hb({ count: 1, active_workers: ['w1'] }), 1, null);
    assert.equal(w.status, Job.RUNNING);
    assert.equal(w.target, Job.RUNNING);
    assert.equal(w.closeExpected, false);
    assert.deepEqual(names(out.changedWorkers), ['w1']);
    assert.deepEqual(out.workersToReconcile, []);
  });

  it('an active CREATED worker (seen before its spawn was recorded) becomes RUNNING', () => {
    const c = cluster({ count: 1 });
    const w = worker(c, 'w1', Job.CREATED);
    applyHeartbeat(c, hb({ count: 1, active_workers: ['w1'] }), 1, null);
    assert.equal(w.status, Job.RUNNING);
  });

  it('an active worker already RUNNING is unchanged', () => {
    const c = cluster({ count: 1 });
    worker(c, 'w1', Job.RUNNING);
    const out = applyHeartbeat(c, hb({ count: 1, active_workers: ['w1'] }), 1, null);
    assert.deepEqual(out.changedWorkers, []);
    assert.equal(out.clusterChanged, false);
  });

  it('a closing worker becomes RUNNING and close_expected, reported once', () => {
    const c = cluster({ count: 0 });
    const w = worker(c, 'w1', Job.SUBMITTED);
    const out = applyHeartbeat(c, hb({ closing_workers: ['w1'] }), 1, null);
    assert.equal(w.status, Job.RUNNING);
    assert.equal(w.closeExpected, true);
    assert.equal(w.target, Job.RUNNING, 'the scheduler retires it; the gateway waits for closed');
    assert.deepEqual(names(out.changedWorkers), ['w1']);
    assert.deepEqual(out.workersToReconcile, []);
  });

  it('a RUNNING worker that starts closing only gains close_expected', () => {
    const c = cluster({ failures: 2 });
    const w = worker(c, 'w1', Job.RUNNING);
    const out = applyHeartbeat(c, hb({ closing_workers: ['w1'] }), 1, null);
    assert.equal(w.closeExpected, true);
    assert.deepEqual(names(out.changedWorkers), ['w1']);
    assert.equal(c.failures, 2, 'no worker started');
    assert.equal(out.clusterChanged, false);
  });

  it('a closing worker already close_expected is unchanged', () => {
    const c = cluster();
    worker(c, 'w1', Job.RUNNING, { closeExpected: true });
    const out = applyHeartbeat(c, hb({ closing_workers: ['w1'] }), 1, null);
    assert.deepEqual(out.changedWorkers, []);
  });

  it('closing wins over active and closed for the same name', () => {
    const c = cluster({ count: 0 });
    const w = worker(c, 'w1', Job.RUNNING);
    const out = applyHeartbeat(
      c,
      hb({ active_workers: ['w1'], closing_workers: ['w1'], closed_workers: ['w1'] }),
      1,
      null
    );
    assert.equal(w.closeExpected, true);
    assert.equal(w.target, Job.RUNNING);
    assert.deepEqual(out.workersToReconcile, []);
  });

  it('a closed worker whose close was expected is stopped', () => {
    const c = cluster();
    const w = worker(c, 'w1', Job.RUNNING, { closeExpected: true });
    const out = applyHeartbeat(c, hb({ closed_workers: ['w1'] }), 1, null);
    assert.equal(w.target, Job.STOPPED);
    assert.equal(w.status, Job.RUNNING, 'the reconciler stops it');
    assert.deepEqual(names(out.changedWorkers), ['w1']);
    assert.deepEqual(names(out.workersToReconcile), ['w1']);
  });

  it('a closed worker whose close was not expected fails', () => {
    const c = cluster();
    const w = worker(c, 'w1', Job.RUNNING);
    const out = applyHeartbeat(c, hb({ closed_workers: ['w1'] }), 1, null);
    assert.equal(w.target, Job.FAILED);
    assert.deepEqual(names(out.workersToReconcile), ['w1']);
  });

  it('a closed worker that never ran (died while SUBMITTED) fails', () => {
    const c = cluster();
    const w = worker(c, 'w1', Job.SUBMITTED);
    applyHeartbeat(c, hb({ closed_workers: ['w1'] }), 1, null);
    assert.equal(w.target, Job.FAILED);
  });

  it('a closed worker already being stopped is not touched again', () => {
    const c = cluster();
    const w = worker(c, 'w1', Job.RUNNING, { target: Job.STOPPED });
    const out = applyHeartbeat(c, hb({ closed_workers: ['w1'] }), 1, null);
    assert.equal(w.target, Job.STOPPED);
    assert.deepEqual(out.changedWorkers, []);
    assert.deepEqual(out.workersToReconcile, []);
  });

  it('closing in one heartbeat then closed in the next ends STOPPED (retire flow)', () => {
    const c = cluster({ count: 1 });
    const w = worker(c, 'w1', Job.RUNNING);
    applyHeartbeat(c, hb({ count: 0, closing_workers: ['w1'] }), 1, null);
    applyHeartbeat(c, hb({ count: 0, closed_workers: ['w1'] }), 2, null);
    assert.equal(w.target, Job.STOPPED);
  });

  it('ignores workers already STOPPED or FAILED, whatever the lists say', () => {
    const c = cluster({ count: 2 });
    const s = worker(c, 'stopped', Job.STOPPED, { target: Job.STOPPED, stopTime: 5 });
    const f = worker(c, 'failed', Job.FAILED, { target: Job.FAILED, stopTime: 5 });
    const out = applyHeartbeat(
      c,
      hb({ count: 2, active_workers: ['stopped'], closing_workers: ['failed'] }),
      1,
      null
    );
    assert.equal(s.status, Job.STOPPED);
    assert.equal(f.status, Job.FAILED);
    assert.equal(f.closeExpected, false);
    assert.deepEqual(out.changedWorkers, []);
  });

  it('ignores names in the lists that have no worker record', () => {
    const c = cluster({ count: 1 });
    const out = applyHeartbeat(
      c,
      hb({ count: 1, active_workers: ['ghost'], closed_workers: ['old'] }),
      1,
      null
    );
    assert.deepEqual(out.changedWorkers, []);
    assert.equal(c.workers.size, 0);
  });
});

describe('applyHeartbeat: cancelling excess pending workers', () => {
  it('cancels CREATED workers before SUBMITTED ones', () => {
    const c = cluster({ count: 3 });
    const s1 = worker(c, 's1', Job.SUBMITTED);
    const c1 = worker(c, 'c1', Job.CREATED);
    const s2 = worker(c, 's2', Job.SUBMITTED);
    const c2 = worker(c, 'c2', Job.CREATED);
    // 0 active + 4 pending - 1 wanted: cancel 3 (both CREATED, then one SUBMITTED).
    const out = applyHeartbeat(c, hb({ count: 1 }), 1, null);
    assert.equal(c1.target, Job.STOPPED);
    assert.equal(c2.target, Job.STOPPED);
    const stillWanted = [s1, s2].filter((w) => w.target === Job.RUNNING);
    assert.equal(stillWanted.length, 1);
    assert.equal(names(out.workersToReconcile).length, 3);
    assert.deepEqual(names(out.changedWorkers), names(out.workersToReconcile));
    assert.ok(names(out.workersToReconcile).includes('c1'));
    assert.ok(names(out.workersToReconcile).includes('c2'));
  });

  it('counts the active list against the count', () => {
    const c = cluster({ count: 3 });
    worker(c, 'a1', Job.RUNNING);
    worker(c, 'a2', Job.RUNNING);
    const p = worker(c, 'p', Job.SUBMITTED);
    const out = applyHeartbeat(c, hb({ count: 2, active_workers: ['a1', 'a2'] }), 1, null);
    assert.equal(p.target, Job.STOPPED);
    assert.deepEqual(names(out.workersToReconcile), ['p']);
  });

  it('counts active names even without worker records', () => {
    const c = cluster({ count: 1 });
    const p = worker(c, 'p', Job.CREATED);
    applyHeartbeat(c, hb({ count: 1, active_workers: ['unknown-to-us'] }), 1, null);
    assert.equal(p.target, Job.STOPPED);
  });

  it('does not cancel when pending workers are still needed', () => {
    const c = cluster({ count: 3 });
    worker(c, 'a1', Job.RUNNING);
    const p1 = worker(c, 'p1', Job.SUBMITTED);
    const p2 = worker(c, 'p2', Job.CREATED);
    const out = applyHeartbeat(c, hb({ count: 3, active_workers: ['a1'] }), 1, null);
    assert.equal(p1.target, Job.RUNNING);
    assert.equal(p2.target, Job.RUNNING);
    assert.deepEqual(out.workersToReconcile, []);
  });

  it('never cancels active or closing workers, even when the count drops to 0', () => {
    const c = cluster({ count: 2 });
    const a = worker(c, 'a', Job.RUNNING);
    const k = worker(c, 'k', Job.RUNNING);
    const p = worker(c, 'p', Job.CREATED);
    applyHeartbeat(c, hb({ count: 0, active_workers: ['a'], closing_workers: ['k'] }), 1, null);
    assert.equal(a.target, Job.RUNNING);
    assert.equal(k.target, Job.RUNNING);
    assert.equal(p.target, Job.STOPPED);
  });

  it('does not count workers already cancelled as pending', () => {
    const c = cluster({ count: 2 });
    const gone = worker(c, 'gone', Job.CREATED, { target: Job.STOPPED });
    const p1 = worker(c, 'p1', Job.SUBMITTED);
    const p2 = worker(c, 'p2', Job.SUBMITTED);
    // 0 active + 2 live pending - 1 wanted: cancel exactly 1 of the live ones.
    const out = applyHeartbeat(c, hb({ count: 1 }), 1, null);
    assert.equal(gone.target, Job.STOPPED);
    assert.equal([p1, p2].filter((w) => w.target === Job.STOPPED).length, 1);
    assert.equal(out.workersToReconcile.length, 1);
  });

  it('uses the clamped count for the excess', () => {
    const c = cluster({ count: 2 });
    const p1 = worker(c, 'p1', Job.CREATED);
    const p2 = worker(c, 'p2', Job.CREATED);
    applyHeartbeat(c, hb({ count: 2 }), 1, 1);
    assert.equal([p1, p2].filter((w) => w.target === Job.STOPPED).length, 1);
  });
});

describe('applyHeartbeat: failure counter', () => {
  it('resets the failure counter when a worker starts', () => {
    const c = cluster({ count: 1, failures: 2 });
    worker(c, 'w1', Job.SUBMITTED);
    const out = applyHeartbeat(c, hb({ count: 1, active_workers: ['w1'] }), 1, null);
    assert.equal(c.failures, 0);
    assert.equal(out.clusterChanged, true);
  });

  it('resets it when a closing worker is first seen running', () => {
    const c = cluster({ failures: 1 });
    worker(c, 'w1', Job.SUBMITTED);
    applyHeartbeat(c, hb({ closing_workers: ['w1'] }), 1, null);
    assert.equal(c.failures, 0);
  });

  it('keeps it when no worker started', () => {
    const c = cluster({ count: 1, failures: 2 });
    worker(c, 'w1', Job.RUNNING);
    worker(c, 'w2', Job.SUBMITTED);
    const out = applyHeartbeat(c, hb({ count: 1, active_workers: ['w1'] }), 1, null);
    assert.equal(c.failures, 2);
    assert.equal(out.clusterChanged, false);
  });

  it('a start with a zero counter does not mark the cluster changed', () => {
    const c = cluster({ count: 1 });
    worker(c, 'w1', Job.SUBMITTED);
    const out = applyHeartbeat(c, hb({ count: 1, active_workers: ['w1'] }), 1, null);
    assert.equal(out.clusterChanged, false);
    assert.equal(out.changedWorkers.length, 1);
  });
});

describe('applyHeartbeat: a combined heartbeat', () => {
  it('reports every change once', () => {
    const c = cluster({ status: Job.SUBMITTED, schedulerAddress: '', count: 1, failures: 1 });
    const started = worker(c, 'started', Job.SUBMITTED);
    const retiring = worker(c, 'retiring', Job.RUNNING);
    const died = worker(c, 'died', Job.RUNNING);
    const extra = worker(c, 'extra', Job.CREATED);
    const out = applyHeartbeat(
      c,
      hb({
        count: 1,
        active_workers: ['started'],
        closing_workers: ['retiring'],
        closed_workers: ['died'],
      }),
      99,
      null
    );
    assert.equal(c.schedulerAddress, ADDRS.scheduler_address);
    assert.equal(c.failures, 0);
    assert.equal(c.lastHeartbeat, 99);
    assert.equal(started.status, Job.RUNNING);
    assert.equal(retiring.closeExpected, true);
    assert.equal(died.target, Job.FAILED);
    assert.equal(extra.target, Job.STOPPED);
    assert.equal(out.clusterChanged, true);
    assert.equal(out.reconcileCluster, true);
    assert.deepEqual(names(out.changedWorkers), ['died', 'extra', 'retiring', 'started']);
    assert.deepEqual(names(out.workersToReconcile), ['died', 'extra']);
    assert.equal(out.requestedCount, 1);
  });
});
