/**
 * Tests of the pool's wait queue (`when_full: queue`) through the cluster policy, with an
 * injected clock and usage: a scale that does not fit waits with its place in line, quotas still
 * clamp at once, freed machines go to the user with the least recent usage first (then first
 * come), a lowered target or a stopped cluster leaves the queue, heartbeats lagging behind a
 * scale keep its place, and nothing is ever booked beyond the pool.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveClusterConfig } from '../cluster-options/cluster-config.js';
import { Job, type ClusterRecord } from '../clusters/model.js';
import { testCluster } from '../clusters/testing/test-cluster.js';
import { createClusterPolicy, type ClusterPolicy } from './cluster-policy.js';
import type { QueuedCount } from './pool-queue.js';
import type { UsageInterval } from './usage-hours.js';
import type { WaitEntry } from './wait-queue.js';

/** Medium workers: one per machine of the three-machine pool. */
const MEDIUM = resolveClusterConfig({ worker_cores: 4, worker_memory: '16 G' }, {}).config;
const HOUR = 3_600_000;

function record(name: string, username: string): ClusterRecord {
  return testCluster({ name, username, config: MEDIUM, count: 0, startTime: 1 });
}

interface Harness {
  policy: ClusterPolicy;
  clusters: Map<string, ClusterRecord>;
  clock: { t: number; now(): number };
  grants: Array<[string, QueuedCount]>;
  persisted: Map<string, WaitEntry>;
  usage: UsageInterval[];
  add(name: string, user: string): ClusterRecord;
}

function harness(quotas: Record<string, { max_workers: number }> = {}): Harness {
  const clusters = new Map<string, ClusterRecord>();
  const clock = {
    t: 100 * HOUR,
    now() {
      return this.t;
    },
  };
  const persisted = new Map<string, WaitEntry>();
  const usage: UsageInterval[] = [];
  const policy = createClusterPolicy(
    {
      pool: {
        machine_types: [{ name: 'm', cores: 4, memory: '16 G', count: 3 }],
        schedulers_take_room: false,
        user_machine_cap: null,
      },
      quotas: { default: {}, groups: {}, users: quotas },
      queue: {
        halfLifeMs: 24 * HOUR,
        usage: () => Promise.resolve(usage),
        persist: (cluster, e) => {
          if (e === null) persisted.delete(cluster);
          else persisted.set(cluster, e);
        },
      },
    },
    () => clusters.values(),
    clock
  );
  const grants: Array<[string, QueuedCount]> = [];
  policy.onGrant((c, g) => {
    c.count = g.count;
    grants.push([c.name, g]);
  });
  const add = (name: string, user: string) => {
    const c = record(name, user);
    clusters.set(name, c);
    return c;
  };
  return { policy, clusters, clock, grants, persisted, usage, add };
}

/** Stops `c` as the manager does: target first, then the release once it finished. */
async function stop(h: Harness, c: ClusterRecord): Promise<void> {
  c.target = Job.STOPPED;
  c.status = Job.STOPPED;
  h.policy.release(c.name);
  await h.policy.settle();
}

describe('the pool queue', () => {
  it('queues what does not fit, with its place in line, and tells the scheduler all of it', () => {
    const h = harness();
    const a = h.add('a', 'alice');
    const b = h.add('b', 'bob');
    assert.deepEqual(h.policy.limitWorkers(a, 2, 'reserve'), { count: 2, msg: null, wanted: 2 });
    const got = h.policy.limitWorkers(b, 4, 'reserve');
    assert.deepEqual(got, {
      count: 1,
      wanted: 4,
      msg: '1 worker now, 3 waiting for machines (1st in line)',
    });
    assert.deepEqual(h.policy.queued('b'), { wanted: 4, position: 1 });
    assert.equal(h.persisted.get('b')?.wanted, 4);
    assert.equal(h.policy.state('admin', true).machines_in_use, 3);
  });

  it('clamps by quota at once and queues only what the quota allows', () => {
    const h = harness({ bob: { max_workers: 3 } });
    const a = h.add('a', 'alice');
    const b = h.add('b', 'bob');
    h.policy.limitWorkers(a, 3, 'reserve');
    const got = h.policy.limitWorkers(b, 5, 'reserve');
    assert.equal(got.count, 0);
    assert.equal(got.wanted, 3);
    assert.match(got.msg ?? '', /would exceed your quota of 3 workers.*0 workers now, 3 waiting/);
  });

  it('grants a freed machine to the cluster an admin moved to the front, and persists it', async () => {
    const h = harness();
    const a = h.add('a', 'alice');
    h.policy.limitWorkers(a, 3, 'reserve');
    const b = h.add('b', 'bob');
    const c = h.add('c', 'carol');
    h.policy.limitWorkers(b, 1, 'reserve');
    h.policy.limitWorkers(c, 1, 'reserve');
    assert.deepEqual(h.policy.queued('c'), { wanted: 1, position: 2 });
    assert.equal(h.policy.moveQueued('c', 1), true);
    assert.equal(h.policy.moveQueued('nobody', 1), false);
    assert.deepEqual(h.policy.queued('c'), { wanted: 1, position: 1 });
    assert.equal(h.persisted.get('c')?.pinned, 1);
    assert.equal(h.policy.queueView()[0]?.pinned, 1);
    a.count = 2;
    h.policy.limitWorkers(a, 2, 'reserve');
    await h.policy.settle();
    assert.deepEqual(
      h.grants.map(([name]) => name),
      ['c']
    );
    assert.deepEqual(h.policy.queued('b'), { wanted: 1, position: 1 });
  });

  it('grants a freed machine to the user with the least recent usage first', async () => {
    const h = harness();
    const a = h.add('a', 'alice');
    h.policy.limitWorkers(a, 3, 'reserve');
    // Bob waits first, but used 10 core-hours lately; carol used nothing.
    h.usage.push({
      username: 'bob',
      cluster_name: 'old',
      cores: 10,
      memory: 0,
      start_time: h.clock.t - 2 * HOUR,
      stop_time: h.clock.t - HOUR,
    });
    await h.policy.settle();
    const b = h.add('b', 'bob');
    h.policy.limitWorkers(b, 1, 'reserve');
    h.clock.t += 1000;
    const c = h.add('c', 'carol');
    assert.match(h.policy.limitWorkers(c, 1, 'reserve').msg ?? '', /\(1st in line\)$/);
    assert.deepEqual(h.policy.queued('b'), { wanted: 1, position: 2 });

    h.policy.limitWorkers(a, 2, 'reserve'); // one machine freed
    await h.policy.settle();
    assert.deepEqual(h.grants, [['c', { count: 1, wanted: 1, position: null }]]);
    assert.equal(h.policy.queued('c'), null);
    assert.deepEqual(h.policy.queued('b'), { wanted: 1, position: 1 });

    await stop(h, a); // alice leaves: bob gets his machine
    assert.deepEqual(h.grants.at(-1), ['b', { count: 1, wanted: 1, position: null }]);
    assert.equal(h.persisted.size, 0);
  });

  it('grants in first-come order among users of equal usage, never beyond the pool', async () => {
    const h = harness();
    const a = h.add('a', 'alice');
    h.policy.limitWorkers(a, 3, 'reserve');
    const b = h.add('b', 'bob');
    h.policy.limitWorkers(b, 2, 'reserve');
    h.clock.t += 1;
    const c = h.add('c', 'carol');
    h.policy.limitWorkers(c, 2, 'reserve');
    h.policy.limitWorkers(a, 0, 'reserve');
    await h.policy.settle();
    assert.deepEqual(
      h.grants.map(([n, g]) => [n, g.count]),
      [
        ['b', 2],
        ['c', 1],
      ]
    );
    assert.equal(h.policy.state('admin', true).machines_in_use, 3);
    assert.deepEqual(h.policy.queued('c'), { wanted: 2, position: 1 });
  });

  /** Alice fills the pool, then bob's scale to 2 waits. */
  function bobWaits(): { h: Harness; b: ClusterRecord } {
    const h = harness();
    h.policy.limitWorkers(h.add('a', 'alice'), 3, 'reserve');
    const b = h.add('b', 'bob');
    h.policy.limitWorkers(b, 2, 'reserve');
    return { h, b };
  }

  it('a lowered target or a stopped cluster leaves the queue', async () => {
    const { h, b } = bobWaits();
    assert.notEqual(h.policy.queued('b'), null);
    h.clock.t += 60_000; // past a scale's grace for lagging heartbeats
    h.policy.limitWorkers(b, 0, 'observe'); // adaptive: wants none now
    assert.equal(h.policy.queued('b'), null);
    h.policy.limitWorkers(b, 1, 'observe'); // and one again: waits
    assert.deepEqual(h.policy.queued('b'), { wanted: 1, position: 1 });
    await stop(h, b);
    assert.equal(h.policy.queued('b'), null);
    assert.equal(h.persisted.size, 0);
  });

  it('a heartbeat lagging behind a scale keeps its place in line', () => {
    const { h, b } = bobWaits();
    assert.equal(h.policy.limitWorkers(b, 0, 'observe').count, 0);
    assert.deepEqual(h.policy.queued('b'), { wanted: 2, position: 1 });
  });

  it("a waiting cluster's heartbeat gets room as soon as it is freed, not before", () => {
    const { h, b } = bobWaits();
    h.clock.t += 60_000;
    assert.equal(h.policy.limitWorkers(b, 2, 'observe').count, 0);
    const a = h.clusters.get('a');
    assert.ok(a);
    h.policy.limitWorkers(a, 2, 'reserve'); // frees one machine
    assert.equal(h.policy.limitWorkers(b, 2, 'observe').count, 1);
    assert.deepEqual(h.policy.queued('b'), { wanted: 2, position: 1 });
    assert.deepEqual(h.grants, [['b', { count: 1, wanted: 2, position: 1 }]]);
  });

  it('takes back a persisted queue and grants it once clusters are known', async () => {
    const h = harness();
    const b = h.add('b', 'bob');
    h.policy.loadQueue([{ cluster: 'b', user: 'bob', wanted: 2, since: 5, updated: 0 }]);
    h.policy.loadQueue([{ cluster: 'gone', user: 'eve', wanted: 2, since: 1, updated: 0 }]);
    await h.policy.settle();
    assert.deepEqual(h.grants, [['b', { count: 2, wanted: 2, position: null }]]);
    assert.equal(b.count, 2);
    assert.deepEqual(h.policy.queueView(), []);
  });

  it('in a view shows each entry with its place, grant and usage', () => {
    const h = harness();
    const a = h.add('a', 'alice');
    h.policy.limitWorkers(a, 5, 'reserve');
    const [v] = h.policy.queueView();
    assert.ok(v !== undefined);
    assert.equal(v.cluster, 'a');
    assert.equal(v.position, 1);
    assert.equal(v.granted, 3);
    assert.equal(v.wanted, 5);
  });
});
