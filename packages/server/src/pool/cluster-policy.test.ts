/**
 * Tests for the cluster policy: quotas and the shared pool applied to hand-built cluster records —
 * create refusals with the reconnect hint, scale clamps by quota and by pool with their messages,
 * reservations between users, release, schedulers taking room, the per-user machine cap, the pool
 * state users and admins see, and admin overrides.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveClusterConfig, type ClusterConfig } from '../cluster-options/cluster-config.js';
import type { WorkerPolicy } from '../clusters/manager.js';
import { Job, type ClusterRecord, type JobStatus } from '../clusters/model.js';
import type { PoolConfig, QuotaConfig as QuotaFileConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import { createClusterPolicy, type ClusterPolicy } from './cluster-policy.js';

const GIB = 2 ** 30;

/** Small workers: 2 cores / 8 GiB, two per machine (scheduler: the default 1 core / 2 GiB). */
const SMALL = resolveClusterConfig({ worker_cores: 2, worker_memory: '8 G' }, {}).config;
/** Medium workers: 4 cores / 16 GiB, one per machine. */
const MEDIUM = resolveClusterConfig({ worker_cores: 4, worker_memory: '16 G' }, {}).config;

/** Three machines of 4 cores / 16 GiB. */
const THREE_MACHINES: PoolConfig = {
  machine_types: [{ name: 'm', cores: 4, memory: '16 G', count: 3 }],
  schedulers_take_room: false,
  user_machine_cap: null,
};

interface ClusterSpec {
  config?: ClusterConfig;
  count?: number;
  status?: JobStatus;
  target?: JobStatus;
  startTime?: number;
}

let started = 1_000;

/** A running cluster record of `username` (Small workers, no workers yet) unless `spec` says. */
function record(name: string, username: string, spec: ClusterSpec = {}): ClusterRecord {
  started += 1;
  return {
    name,
    username,
    options: {},
    config: spec.config ?? SMALL,
    status: spec.status ?? Job.RUNNING,
    target: spec.target ?? Job.RUNNING,
    count: spec.count ?? 0,
    state: {},
    token: 'token',
    tlsCert: 'cert',
    tlsKey: 'key',
    schedulerAddress: 'tls://127.0.0.1:1',
    dashboardAddress: 'http://127.0.0.1:2',
    apiAddress: 'http://127.0.0.1:3',
    startTime: spec.startTime ?? started,
    stopTime: null,
    stopReason: null,
    failures: 0,
    failure: null,
    lastHeartbeat: 0,
    workers: new Map(),
  };
}

interface Setup {
  pool?: Partial<PoolConfig>;
  quotas?: {
    default?: QuotaFileConfig;
    groups?: Record<string, QuotaFileConfig>;
    users?: Record<string, QuotaFileConfig>;
  };
}

/** A policy over a mutable list of records (three machines unless `setup.pool` says). */
function setup(s: Setup = {}): {
  policy: ClusterPolicy;
  add: (name: string, username: string, spec?: ClusterSpec) => ClusterRecord;
} {
  const records: ClusterRecord[] = [];
  const policy = createClusterPolicy(
    {
      pool: { ...THREE_MACHINES, ...s.pool },
      quotas: {
        default: s.quotas?.default ?? {},
        groups: s.quotas?.groups ?? {},
        users: s.quotas?.users ?? {},
      },
    },
    () => records
  );
  const add = (name: string, username: string, spec?: ClusterSpec) => {
    const c = record(name, username, spec);
    records.push(c);
    return c;
  };
  return { policy, add };
}

/** Calls `f`, which must throw a 422 (`quota_exceeded`) GatewayError, and returns its message. */
function refusal(f: () => void): string {
  let message: string | null = null;
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.code, 'quota_exceeded');
    message = err.message;
  }
  assert.notEqual(message, null, 'expected a refusal');
  return message ?? '';
}

describe('reserveCreate', () => {
  it('counts a reserved create as an active cluster until it is released', () => {
    const { policy } = setup({ quotas: { default: { max_clusters: 2, max_cores: 3 } } });
    const first = policy.reserveCreate('alice', 1, GIB);
    const second = policy.reserveCreate('alice', 1, GIB);
    assert.match(
      refusal(() => policy.reserveCreate('alice', 1, GIB)),
      /You have 2 active clusters, the limit is 2/
    );
    policy.reserveCreate('bob', 1, GIB).release();
    first.release();
    first.release();
    const third = policy.reserveCreate('alice', 1, GIB);
    assert.match(
      refusal(() => {
        policy.checkCreate('alice', 1, GIB);
      }),
      /limit is 2/
    );
    second.release();
    third.release();
    policy.checkCreate('alice', 1, GIB);
  });

  it('counts the reserved scheduler cores against max_cores', () => {
    const { policy } = setup({ quotas: { default: { max_cores: 2 } } });
    policy.reserveCreate('alice', 2, GIB);
    assert.match(
      refusal(() => {
        policy.checkCreate('alice', 1, GIB);
      }),
      /max_cores/
    );
  });
});

describe('checkCreate', () => {
  it('allows creates without a quota, and under one', () => {
    const { policy, add } = setup({ quotas: { default: { max_clusters: 2 } } });
    policy.checkCreate('alice', 1, 2 * GIB);
    add('a1', 'alice');
    policy.checkCreate('alice', 1, 2 * GIB);
  });

  it('refuses at max_clusters, names the limit and lists the active clusters to reconnect to', () => {
    const { policy, add } = setup({ quotas: { default: { max_clusters: 1 } } });
    add('a1', 'alice');
    add('b1', 'bob');
    const msg = refusal(() => {
      policy.checkCreate('alice', 1, 2 * GIB);
    });
    assert.equal(
      msg,
      'You have 1 active cluster, the limit is 1 (quota max_clusters). Stop one of them before ' +
        'starting another. Your active clusters: a1. Reconnect with gateway.connect("a1") or ' +
        'stop one with gateway.stop_cluster(name).'
    );
    // Bob's cluster counts for bob only.
    policy.checkCreate('carol', 1, 2 * GIB);
  });

  it('lists every active cluster of the user, pending ones too, but not stopping or stopped ones', () => {
    const { policy, add } = setup({ quotas: { users: { alice: { max_clusters: 2 } } } });
    add('a-stopping', 'alice', { target: Job.STOPPED });
    add('a-stopped', 'alice', { status: Job.STOPPED, target: Job.STOPPED });
    add('a-failed', 'alice', { status: Job.FAILED, target: Job.FAILED });
    add('a1', 'alice');
    policy.checkCreate('alice', 1, 2 * GIB);
    add('a-pending', 'alice', { status: Job.CREATED });
    const msg = refusal(() => {
      policy.checkCreate('alice', 1, 2 * GIB);
    });
    assert.match(msg, /^You have 2 active clusters, the limit is 2 \(quota max_clusters\)\./);
    assert.match(msg, / Your active clusters: a1, a-pending\. /);
    assert.match(msg, /gateway\.connect\("a1"\)/);
    assert.doesNotMatch(msg, /a-stopp|a-failed/);
  });

  it('gives no reconnect hint when another limit refuses', () => {
    const { policy, add } = setup({ quotas: { default: { max_cores: 4 } } });
    add('a1', 'alice', { count: 1 }); // 1 + 2 cores
    const msg = refusal(() => {
      policy.checkCreate('alice', 2, 2 * GIB);
    });
    assert.match(msg, /quota max_cores/);
    assert.match(msg, /using 3 of your quota of 4 cores/);
    assert.doesNotMatch(msg, /gateway\.connect/);
  });

  it('gives no hint when max_clusters is 0 and the user has nothing to reconnect to', () => {
    const { policy } = setup({ quotas: { users: { alice: { max_clusters: 0 } } } });
    const msg = refusal(() => {
      policy.checkCreate('alice', 1, 2 * GIB);
    });
    assert.equal(msg, 'Your quota does not allow you to start clusters (quota max_clusters is 0).');
  });

  it('checks max_memory with memory strings from the file', () => {
    const { policy, add } = setup({ quotas: { default: { max_memory: '3 G' } } });
    policy.checkCreate('alice', 1, 2 * GIB);
    add('a1', 'alice');
    const msg = refusal(() => {
      policy.checkCreate('alice', 1, 2 * GIB);
    });
    assert.match(msg, /quota max_memory/);
  });
});

describe('limitWorkers: quota', () => {
  it('leaves requests within the quota alone', () => {
    const { policy, add } = setup({ quotas: { default: { max_workers: 4 } } });
    const a = add('a1', 'alice');
    assert.deepEqual(policy.limitWorkers(a, 2), { count: 2, msg: null });
  });

  it('clamps to max_workers and says so', () => {
    const { policy, add } = setup({ quotas: { users: { alice: { max_workers: 2 } } } });
    const a = add('a1', 'alice');
    assert.deepEqual(policy.limitWorkers(a, 5), {
      count: 2,
      msg:
        'Scale request of 5 workers would exceed your quota of 2 workers (0 already in use). ' +
        'Scaling to 2 instead.',
    });
    // Only alice has that quota.
    const b = add('b1', 'bob');
    assert.deepEqual(policy.limitWorkers(b, 3), { count: 3, msg: null });
  });

  it("counts the user's other clusters, by count or by reservation, whichever is larger", () => {
    const { policy, add } = setup({ quotas: { default: { max_workers: 3 } } });
    add('a1', 'alice', { count: 1 });
    const a2 = add('a2', 'alice');
    const a3 = add('a3', 'alice');
    assert.equal(policy.limitWorkers(a2, 1).count, 1); // reserved, count still 0
    const r = policy.limitWorkers(a3, 3);
    assert.equal(r.count, 1);
    assert.match(r.msg ?? '', /quota of 3 workers \(2 already in use\)\. Scaling to 1 instead\.$/);
  });

  it('clamps by max_cores, counting the schedulers', () => {
    const { policy, add } = setup({ quotas: { default: { max_cores: 8 } } });
    const a = add('a1', 'alice');
    assert.deepEqual(policy.limitWorkers(a, 10), {
      count: 3,
      msg:
        'Scale request of 10 workers would exceed your quota of 8 cores (1 already in use). ' +
        'Scaling to 3 instead.',
    });
  });

  it('clamps by max_memory given as a string', () => {
    const { policy, add } = setup({ quotas: { default: { max_memory: '20 G' } } });
    const a = add('a1', 'alice');
    const r = policy.limitWorkers(a, 4);
    assert.equal(r.count, 2); // (20 - 2) / 8
    assert.match(r.msg ?? '', /quota of 20\.00 GiB memory \(2\.00 GiB already in use\)/);
  });

  it('applies group quotas once the user was observed with the group', () => {
    const { policy, add } = setup({
      quotas: { default: { max_workers: 1 }, groups: { big: { max_workers: 3 } } },
    });
    const a = add('a1', 'alice');
    assert.equal(policy.limitWorkers(a, 3).count, 1);
    assert.equal(policy.observe({ name: 'alice', groups: ['big'] }), true, 'new groups');
    assert.equal(policy.observe({ name: 'alice', groups: ['big'] }), false, 'the same groups');
    assert.deepEqual(policy.limitWorkers(a, 3), { count: 3, msg: null });
    assert.equal(policy.quota('alice').maxWorkers, 3);
  });
});

describe('limitWorkers: shared pool', () => {
  it('grants what fits without a message', () => {
    const { policy, add } = setup();
    const a = add('a1', 'alice');
    assert.deepEqual(policy.limitWorkers(a, 3), { count: 3, msg: null });
    assert.equal(policy.state('alice', false).machines_in_use, 2);
  });

  it('clamps what does not fit and names the machines in use and their users after the grant', () => {
    const { policy, add } = setup();
    const a = add('a1', 'alice');
    const b = add('b1', 'bob', { config: MEDIUM });
    policy.limitWorkers(a, 3); // two machines
    const r = policy.limitWorkers(b, 2);
    assert.equal(r.count, 1);
    assert.equal(
      r.msg,
      'Scale to 2 workers clamped to 1: the shared pool is full ' +
        '(3 of 3 machines in use by 2 users, 1 of them yours).'
    );
  });

  it('never explains a clamp with an empty pool (issue 16: "0 of 10 machines … by 0 users")', () => {
    const ten: Partial<PoolConfig> = {
      machine_types: [{ name: 'm', cores: 4, memory: '16 G', count: 10 }],
    };
    const { policy, add } = setup({ pool: ten });
    add('b1', 'bob', { config: MEDIUM, count: 2 });
    const a = add('a1', 'alice', { config: MEDIUM });
    const r = policy.limitWorkers(a, 100000);
    assert.equal(r.count, 8);
    assert.equal(
      r.msg,
      'Scale to 100000 workers clamped to 8: the shared pool is full ' +
        '(10 of 10 machines in use by 2 users, 8 of them yours).'
    );
  });

  it("counts the machines of the user's other clusters in the message", () => {
    const { policy, add } = setup();
    add('a1', 'alice', { count: 2 });
    add('b1', 'bob', { config: MEDIUM, count: 1 });
    const b2 = add('b2', 'bob', { config: MEDIUM });
    const r = policy.limitWorkers(b2, 3);
    assert.equal(r.count, 1);
    assert.match(r.msg ?? '', /\(3 of 3 machines in use by 2 users, 2 of them yours\)/);
    const c = add('c1', 'carol');
    const full = policy.limitWorkers(c, 1);
    assert.equal(full.count, 0);
    assert.match(full.msg ?? '', /clamped to 0: the shared pool is full \(3 of 3 machines/);
    assert.match(full.msg ?? '', /in use by 2 users, 0 of them yours\)\.$/);
  });

  it("reserves accepted scales, so a second user's request is clamped before any worker runs", () => {
    const { policy, add } = setup();
    const a = add('a1', 'alice');
    const b = add('b1', 'bob', { config: MEDIUM });
    // Without alice's reservation, bob could have all three machines.
    assert.equal(setup().policy.limitWorkers(record('x', 'bob', { config: MEDIUM }), 3).count, 3);
    assert.equal(policy.limitWorkers(a, 3).count, 3);
    assert.equal(a.count, 0); // no heartbeat yet: only the reservation holds the room
    assert.equal(policy.limitWorkers(b, 3).count, 1);
    // Bob's clamped grant is reserved too: nothing is left for carol.
    assert.equal(policy.limitWorkers(add('c1', 'carol'), 1).count, 0);
    const s = policy.state('alice', true);
    assert.equal(s.machines_in_use, 3);
    assert.equal(s.machines_free, 0);
  });

  it('lowers the reservation on a scale down, freeing room once the count follows', () => {
    const { policy, add } = setup();
    const a = add('a1', 'alice');
    const b = add('b1', 'bob', { config: MEDIUM });
    policy.limitWorkers(a, 3);
    policy.limitWorkers(b, 1);
    policy.limitWorkers(a, 2); // one machine
    assert.equal(policy.limitWorkers(b, 3).count, 2);
  });

  it('release frees the reserved room', () => {
    const { policy, add } = setup();
    const a = add('a1', 'alice');
    const b = add('b1', 'bob', { config: MEDIUM });
    policy.limitWorkers(a, 6);
    assert.equal(policy.limitWorkers(b, 3).count, 0);
    policy.release(a.name);
    assert.equal(policy.state('bob', false).machines_in_use, 0);
    assert.deepEqual(policy.limitWorkers(b, 3), { count: 3, msg: null });
  });

  it('frees the room of a cluster that is stopping, before its release', () => {
    const { policy, add } = setup();
    const a = add('a1', 'alice', { count: 4 });
    const b = add('b1', 'bob', { config: MEDIUM });
    assert.equal(policy.limitWorkers(b, 3).count, 1);
    a.target = Job.STOPPED;
    assert.equal(policy.limitWorkers(b, 3).count, 3);
  });

  it('gives schedulers room on the pool when schedulers_take_room is set', () => {
    const plain = setup();
    const a = plain.add('a1', 'alice', { config: MEDIUM });
    assert.equal(plain.policy.state('alice', false).machines_in_use, 0);
    assert.equal(plain.policy.limitWorkers(a, 3).count, 3);

    const room = setup({ pool: { schedulers_take_room: true } });
    const b = room.add('b1', 'bob', { config: MEDIUM });
    assert.equal(room.policy.state('bob', false).machines_in_use, 1); // the scheduler alone
    const r = room.policy.limitWorkers(b, 3);
    assert.equal(r.count, 2);
    assert.match(r.msg ?? '', /^Scale to 3 workers clamped to 2: the shared pool is full/);
    // Another user's scheduler needs a machine of its own: nothing left for it either.
    const c = room.add('c1', 'carol');
    assert.equal(room.policy.state('carol', true).machines_in_use, 3);
    assert.equal(room.policy.limitWorkers(c, 1).count, 0);
  });

  it("counts the cluster's own scheduler machine in the message when schedulers take room", () => {
    const { policy, add } = setup({ pool: { schedulers_take_room: true } });
    const b = add('b1', 'bob', { config: MEDIUM });
    const r = policy.limitWorkers(b, 3);
    assert.equal(r.count, 2);
    // The scheduler's machine and the granted workers' are in use.
    assert.match(r.msg ?? '', /\(3 of 3 machines in use by 1 user, 3 of them yours\)\.$/);
  });

  it('keeps each user within user_machine_cap, across all their clusters', () => {
    const { policy, add } = setup({ pool: { user_machine_cap: 1 } });
    const a = add('a1', 'alice');
    const r = policy.limitWorkers(a, 3);
    assert.equal(r.count, 2);
    assert.equal(
      r.msg,
      'Scale to 3 workers clamped to 2: your share of the shared pool is full ' +
        '(1 of 3 machines in use by 1 user, 1 of them yours; at most 1 per user).'
    );
    // Her machine is full: a second cluster of hers gets nothing...
    const a2 = add('a2', 'alice');
    assert.equal(policy.limitWorkers(a2, 1).count, 0);
    // ...while another user still gets a machine.
    assert.equal(policy.limitWorkers(add('b1', 'bob'), 2).count, 2);
    // With one Small worker her machine has room for a second cluster's Small worker.
    policy.limitWorkers(a, 1);
    assert.deepEqual(policy.limitWorkers(a2, 1), { count: 1, msg: null });
    assert.equal(policy.state('alice', false).your_machines, 1);
  });

  it('names the pool when it clamps further than the quota did', () => {
    const { policy, add } = setup({ quotas: { users: { alice: { max_workers: 3 } } } });
    add('b1', 'bob', { config: MEDIUM, count: 2 });
    const a = add('a1', 'alice', { config: MEDIUM });
    const r = policy.limitWorkers(a, 5);
    assert.equal(r.count, 1);
    // The message must give the count actually used, not the quota's intermediate 3.
    assert.match(r.msg ?? '', /clamped to 1: the shared pool is full/);
    assert.doesNotMatch(r.msg ?? '', /Scaling to 3 instead/);
  });

  it('does not book room when asked not to reserve (adaptive maximum)', () => {
    const { policy, add } = setup();
    const workers: WorkerPolicy = policy;
    const a = add('a1', 'alice', { config: MEDIUM });
    const b = add('b1', 'bob', { config: MEDIUM });
    assert.equal(workers.limitWorkers(a, 3, 'check').count, 3);
    // Alice only said what her adaptive maximum may be; she holds no room yet.
    assert.equal(policy.state('alice', false).machines_in_use, 0);
    assert.equal(workers.limitWorkers(b, 1, 'reserve').count, 1);
  });

  it('uses plain English for one user and one worker', () => {
    const { policy, add } = setup();
    add('a1', 'alice', { config: MEDIUM, count: 3 });
    const r = policy.limitWorkers(add('b1', 'bob'), 1);
    assert.equal(
      r.msg,
      'Scale to 1 worker clamped to 0: the shared pool is full ' +
        '(3 of 3 machines in use by 1 user, 0 of them yours).'
    );
  });
});

describe('state', () => {
  it('shows users their own machines and admins the machines per user', () => {
    const { policy, add } = setup({ pool: { user_machine_cap: 2 } });
    add('a1', 'alice', { count: 3 });
    add('b1', 'bob', { config: MEDIUM, count: 1 });
    add('old', 'carol', { count: 2, status: Job.STOPPED, target: Job.STOPPED });
    const user = policy.state('alice', false);
    assert.deepEqual(user, {
      machines_total: 3,
      machines_in_use: 3,
      machines_free: 0,
      users_with_machines: 2,
      your_machines: 2,
      user_machine_cap: 2,
      machine_types: [{ name: 'm', cores: 4, memory: 16 * GIB, count: 3 }],
    });
    assert.ok(!('per_user' in user));
    assert.equal(policy.state('carol', false).your_machines, 0);
    const admin = policy.state('root', true);
    assert.deepEqual(admin.per_user, { alice: 2, bob: 1 });
    assert.equal(admin.your_machines, 0);
  });

  it('is empty with no clusters', () => {
    const { policy } = setup();
    const s = policy.state('alice', true);
    assert.equal(s.machines_in_use, 0);
    assert.equal(s.machines_free, 3);
    assert.equal(s.users_with_machines, 0);
    assert.deepEqual(s.per_user, {});
  });
});

describe('usage', () => {
  it('counts active clusters, workers by count or reservation, and scheduler room', () => {
    const { policy, add } = setup();
    add('a1', 'alice', { count: 1 });
    const a2 = add('a2', 'alice', { config: MEDIUM });
    add('a3', 'alice', { count: 5, status: Job.STOPPED, target: Job.STOPPED });
    policy.limitWorkers(a2, 2);
    assert.deepEqual(policy.usage('alice'), {
      clusters: 2,
      workers: 3,
      cores: 1 + 2 + 1 + 2 * 4,
      memory: (2 + 8 + 2 + 2 * 16) * GIB,
    });
  });
});

describe('setOverride', () => {
  it('wins over the file for the keys it sets and is undone by null', () => {
    const { policy, add } = setup({
      quotas: {
        default: { max_workers: 1, max_clusters: 1 },
        users: { alice: { max_workers: 2 } },
      },
    });
    const a = add('a1', 'alice');
    assert.equal(policy.limitWorkers(a, 4).count, 2);
    policy.setOverride('alice', { maxWorkers: 4 });
    assert.deepEqual(policy.limitWorkers(a, 4), { count: 4, msg: null });
    assert.deepEqual(policy.quota('alice'), {
      maxClusters: 1,
      maxWorkers: 4,
      maxCores: null,
      maxMemory: null,
    });
    assert.equal(policy.quota('bob').maxWorkers, 1);
    policy.setOverride('alice', null);
    assert.equal(policy.quota('alice').maxWorkers, 2);
    assert.equal(policy.limitWorkers(a, 4).count, 2);
  });

  it('can lift a limit (null) or tighten it to 0 for creates', () => {
    const { policy, add } = setup({ quotas: { default: { max_clusters: 1 } } });
    add('a1', 'alice');
    refusal(() => {
      policy.checkCreate('alice', 1, 2 * GIB);
    });
    policy.setOverride('alice', { maxClusters: null });
    policy.checkCreate('alice', 1, 2 * GIB);
    policy.setOverride('bob', { maxClusters: 0 });
    assert.match(
      refusal(() => {
        policy.checkCreate('bob', 1, 2 * GIB);
      }),
      /quota max_clusters is 0/
    );
  });

  it('clamps a quota lowered below what a cluster already has', () => {
    const { policy, add } = setup();
    const a = add('a1', 'alice', { count: 3 });
    policy.setOverride('alice', { maxWorkers: 1 });
    const r = policy.limitWorkers(a, 3);
    assert.equal(r.count, 1);
    assert.match(r.msg ?? '', /quota of 1 worker \(0 already in use\)\. Scaling to 1 instead\.$/);
  });
});

describe('heartbeats asking for no workers', () => {
  it('get zero at once, without walking every cluster, and keep a scale accepted moments ago', () => {
    const records: ClusterRecord[] = [];
    let walks = 0;
    const policy = createClusterPolicy(
      { pool: THREE_MACHINES, quotas: { default: {}, groups: {}, users: {} } },
      () => {
        walks++;
        return records;
      }
    );
    const a = record('a1', 'alice');
    records.push(a, record('b1', 'bob', { count: 2 }));
    assert.deepEqual(policy.limitWorkers(a, 0, 'observe'), { count: 0, msg: null });
    const walked = () => walks;
    assert.equal(walked(), 0);
    assert.equal(policy.limitWorkers(a, 1, 'observe').count, 1);
    assert.ok(walked() > 0, 'a heartbeat asking for workers checks the quota and the pool');
    // A scale of 4 just accepted (the scheduler has not applied it yet) still holds its room
    // against a heartbeat reporting 0: bob can now get only the 2 slots left of 6.
    assert.equal(policy.limitWorkers(a, 4, 'reserve').count, 4);
    assert.equal(policy.limitWorkers(a, 0, 'observe').count, 0);
    const b = records[1] as ClusterRecord;
    assert.equal(policy.limitWorkers(b, 6, 'check').count, 2);
  });
});

describe('what a new cluster would get', () => {
  const size = (c: ClusterConfig) => ({
    workerCores: c.worker_cores,
    workerMemory: c.worker_memory,
    schedulerCores: c.scheduler_cores,
    schedulerMemory: c.scheduler_memory,
  });

  it('packs Small two per machine and Medium one, over the machines still free', () => {
    const { policy, add } = setup();
    assert.deepEqual(policy.newClusterFit('alice', size(SMALL)), {
      workers: 6,
      perMachine: 2,
      limit: null,
      message: 'Up to 6 workers now (3 machines of 3 free, 2 of its workers per machine).',
    });
    add('b1', 'bob', { count: 2, config: MEDIUM }); // bob holds two machines
    const medium = policy.newClusterFit('alice', size(MEDIUM));
    assert.equal(medium.workers, 1);
    assert.equal(medium.perMachine, 1);
    const small = policy.newClusterFit('alice', size(SMALL));
    assert.equal(small.workers, 2);
    assert.equal(small.limit, 'pool');
    assert.match(
      small.message,
      /^Up to 2 workers now, limited by the shared pool \(1 machine of 3 free/
    );
  });

  it('says when the pool has no room, and when the quota binds or refuses', () => {
    const { policy, add } = setup({
      quotas: { users: { alice: { max_workers: 3, max_clusters: 2 } } },
    });
    add('b1', 'bob', { count: 3, config: MEDIUM });
    const full = policy.newClusterFit('carol', size(SMALL));
    assert.equal(full.workers, 0);
    assert.equal(full.limit, 'pool');
    assert.match(full.message, /no room for its workers now \(0 machines of 3 free/);
  });

  it('applies the quota before the pool', () => {
    const { policy, add } = setup({
      quotas: { users: { alice: { max_workers: 3, max_clusters: 2 } } },
    });
    const q = policy.newClusterFit('alice', size(SMALL));
    assert.deepEqual([q.workers, q.limit], [3, 'quota']);
    add('a1', 'alice');
    add('a2', 'alice');
    const refused = policy.newClusterFit('alice', size(SMALL));
    assert.equal(refused.workers, 0);
    assert.match(refused.message, /^Refused now: /);
  });

  it('reports workers larger than any machine', () => {
    const { policy } = setup();
    const big = resolveClusterConfig({ worker_cores: 8, worker_memory: '8 G' }, {}).config;
    assert.deepEqual(policy.newClusterFit('alice', size(big)).perMachine, 0);
  });
});
