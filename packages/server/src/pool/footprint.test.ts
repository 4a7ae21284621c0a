/**
 * Tests for the worker footprint seam: by default a worker takes its config's cores and memory;
 * with a footprint by profile (Kubernetes requests) it takes the profile's requests, for scale
 * clamps, the new-cluster fit and the pool state alike, while the messages stay the pool's.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveClusterConfig } from '../cluster-options/cluster-config.js';
import { testCluster } from '../clusters/testing/test-cluster.js';
import type { PoolConfig } from '../config/schema.js';
import { createClusterPolicy } from './cluster-policy.js';
import { configuredFootprint, footprintByProfile, type WorkerFootprint } from './footprint.js';

const GIB = 2 ** 30;

/** Nebari's Small limits (the config's size): 2 cores / 8 GiB. */
const SMALL = resolveClusterConfig({ worker_cores: 2, worker_memory: '8 G' }, {}).config;
/** Nebari's Medium limits: 4 cores / 16 GiB. */
const MEDIUM = resolveClusterConfig({ worker_cores: 4, worker_memory: '16 G' }, {}).config;

const SMALL_OPTION = { profile: 'Small' };
const MEDIUM_OPTION = { profile: 'Medium' };

/** Nebari's requests: Small 1.5 cores / 5 G, Medium 3 cores / 10 G (decimal gigabytes). */
const REQUESTS = footprintByProfile(
  new Map([
    ['Small', { cores: 1.5, memory: 5e9 }],
    ['Medium', { cores: 3, memory: 10e9 }],
  ])
);

/** `count` m5.xlarge nodes as the kubelet reports them allocatable: 3.92 cores, ~15.1 GiB. */
function m5(count: number): PoolConfig {
  return {
    machine_types: [{ name: 'node-3920m', cores: 3.92, memory: 15_842_516 * 1024, count }],
    schedulers_take_room: false,
    user_machine_cap: null,
  };
}

/** A policy over `clusters` with `footprint`. */
function policyOf(
  pool: PoolConfig,
  footprint: WorkerFootprint | undefined,
  ...clusters: ReturnType<typeof testCluster>[]
) {
  const quotas = { default: {}, groups: {}, users: {} };
  return createClusterPolicy(
    { pool, quotas, ...(footprint === undefined ? {} : { footprint }) },
    () => clusters
  );
}

describe('footprintByProfile', () => {
  it('takes the named profile’s footprint, and the config’s size otherwise', () => {
    const small = { options: { profile: 'Small' }, config: SMALL };
    assert.deepEqual(REQUESTS(small), { cores: 1.5, memory: 5e9 });
    assert.deepEqual(REQUESTS({ options: { profile: 'Custom' }, config: SMALL }), {
      cores: 2,
      memory: 8 * GIB,
    });
    assert.deepEqual(
      REQUESTS({ options: {}, config: MEDIUM }),
      configuredFootprint({ options: {}, config: MEDIUM })
    );
  });
});

describe('packing by requests', () => {
  it('packs two Small workers per node by requests, where the limits would allow one', () => {
    const c = testCluster({ options: SMALL_OPTION, config: SMALL, count: 0 });
    // Positive control: by the config's 2 cores, a 3.92-core node takes one Small worker.
    assert.equal(policyOf(m5(1), undefined, c).limitWorkers(c, 3).count, 1);
    const byRequests = policyOf(m5(1), REQUESTS, c);
    assert.deepEqual(byRequests.limitWorkers(c, 3), {
      count: 2,
      msg:
        'Scale to 3 workers clamped to 2: the shared pool is full ' +
        '(1 of 1 machines in use by 1 user, 1 of them yours).',
    });
  });

  it('packs one Medium worker per node', () => {
    const c = testCluster({ options: MEDIUM_OPTION, config: MEDIUM, count: 0 });
    // With its 4-core limits a Medium worker fits no 3.92-core node at all.
    assert.equal(policyOf(m5(3), undefined, c).limitWorkers(c, 3).count, 0);
    assert.deepEqual(policyOf(m5(3), REQUESTS, c).limitWorkers(c, 3), { count: 3, msg: null });
    assert.equal(policyOf(m5(3), REQUESTS, c).limitWorkers(c, 4).count, 3);
  });

  it('shares a node between one user’s Small and Medium only as the requests allow', () => {
    const medium = testCluster({ name: 'm', options: MEDIUM_OPTION, config: MEDIUM, count: 1 });
    const small = testCluster({ name: 's', options: SMALL_OPTION, config: SMALL, startTime: 2e12 });
    // 3 + 1.5 cores exceed 3.92: the Small worker needs the second node, and a third fits nowhere.
    const policy = policyOf(m5(2), REQUESTS, medium, small);
    assert.equal(policy.limitWorkers(small, 3).count, 2);
  });

  it('sizes a new cluster by its profile’s requests', () => {
    const policy = policyOf(m5(10), REQUESTS);
    const size = {
      workerCores: 2,
      workerMemory: 8 * GIB,
      schedulerCores: 1,
      schedulerMemory: 2 * GIB,
    };
    const small = policy.newClusterFit('alice', { ...size, profile: 'Small' });
    assert.equal(small.perMachine, 2);
    assert.equal(small.workers, 20);
    // Positive control: without a profile the config's size applies, one per node.
    assert.equal(policy.newClusterFit('alice', size).perMachine, 1);
  });

  it('refuses, with the pool’s message, a request no node can ever hold', () => {
    const huge = footprintByProfile(new Map([['Huge', { cores: 8, memory: 10e9 }]]));
    const c = testCluster({ options: { profile: 'Huge' }, config: SMALL, count: 0 });
    const out = policyOf(m5(10), huge, c).limitWorkers(c, 1);
    assert.equal(out.count, 0);
    assert.match(
      out.msg ?? '',
      /^Scale to 1 worker clamped to 0: no more of them fit in the shared pool \(.*\)\.$/
    );
    const fit = policyOf(m5(10), huge).newClusterFit('alice', {
      workerCores: 2,
      workerMemory: 8 * GIB,
      schedulerCores: 1,
      schedulerMemory: 2 * GIB,
      profile: 'Huge',
    });
    assert.equal(fit.message, 'Its workers are larger than any machine of the pool.');
  });

  it('follows a re-read pool', () => {
    const c = testCluster({ options: SMALL_OPTION, config: SMALL, count: 0 });
    const policy = policyOf(m5(1), REQUESTS, c);
    assert.equal(policy.limitWorkers(c, 10, 'check').count, 2);
    policy.setMachines(m5(3));
    assert.equal(policy.limitWorkers(c, 10, 'check').count, 6);
    assert.equal(policy.state('alice', false).machines_total, 3);
  });
});
