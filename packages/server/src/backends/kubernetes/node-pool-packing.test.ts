/**
 * The seed's cap, end to end through the accounting: a worker node group of one present
 * 4-core/16 GiB node and `max_nodes: 10` (9 nodes from the template), Nebari's Small and Medium
 * profiles packed by their requests. Small takes 2 per node (20 in all), Medium 1 (10), and
 * beyond that the scale is clamped with the local pool's message.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveClusterConfig } from '../../cluster-options/cluster-config.js';
import { testCluster } from '../../clusters/testing/test-cluster.js';
import type { ClusterRecord } from '../../clusters/model.js';
import { createClusterPolicy } from '../../pool/cluster-policy.js';
import { footprintByProfile } from '../../pool/footprint.js';
import { profileRequests, readNodePool, type NodeLike } from './node-pool.js';

/** Nebari's profiles: requests for the pool, limits as the config's worker size. */
const PROFILES = [
  { name: 'Small', kubernetes: { requests: { cpu: 1.5, memory: '5G' } } },
  { name: 'Medium', kubernetes: { requests: { cpu: 3, memory: '10G' } } },
];
const SMALL = resolveClusterConfig({ worker_cores: 2, worker_memory: '8 G' }, {}).config;
const MEDIUM = resolveClusterConfig({ worker_cores: 4, worker_memory: '16 G' }, {}).config;

/** A cluster of `profile` with that profile's config, and `over`. */
function sized(profile: 'Small' | 'Medium', over: Partial<ClusterRecord>): ClusterRecord {
  const config = profile === 'Small' ? SMALL : MEDIUM;
  return testCluster({ options: { profile }, config, ...over });
}

const PRESENT: NodeLike = {
  metadata: { name: 'worker-1', labels: { dedicated: 'worker' } },
  status: { allocatable: { cpu: '4', memory: '16Gi' } },
};

/** The policy over `clusters` with the pool read from one node and the template. */
async function seedPolicy(...clusters: ClusterRecord[]) {
  const requests = profileRequests(PROFILES);
  const { pool } = await readNodePool(
    () => Promise.resolve([PRESENT]),
    {
      node_selector: { dedicated: 'worker' },
      max_nodes: 10,
      node_template: { cpu: '4', memory: '16Gi' },
    },
    requests,
    { machine_types: [], schedulers_take_room: false, user_machine_cap: null }
  );
  return createClusterPolicy(
    {
      pool,
      quotas: { default: {}, groups: {}, users: {} },
      footprint: footprintByProfile(requests),
    },
    () => clusters
  );
}

describe('the 10-node pool packed by requests', () => {
  it('holds 20 Small workers and clamps beyond with the pool message', async () => {
    const c = sized('Small', { count: 0 });
    const policy = await seedPolicy(c);
    assert.equal(policy.state('alice', false).machines_total, 10);
    assert.deepEqual(policy.limitWorkers(c, 20, 'check'), { count: 20, msg: null });
    assert.deepEqual(policy.limitWorkers(c, 21), {
      count: 20,
      msg:
        'Scale to 21 workers clamped to 20: the shared pool is full ' +
        '(10 of 10 machines in use by 1 user, 10 of them yours).',
    });
    c.count = 20;
    assert.equal(policy.state('alice', false).machines_in_use, 10);
  });

  it('holds 10 Medium workers', async () => {
    const c = sized('Medium', { count: 0 });
    const policy = await seedPolicy(c);
    assert.equal(policy.limitWorkers(c, 10, 'check').count, 10);
    assert.equal(policy.limitWorkers(c, 11).count, 10);
  });

  it('shares the 10 nodes between users: what one holds, the other cannot get', async () => {
    const a = sized('Small', { name: 'a', count: 14 });
    const b = sized('Medium', { name: 'b', username: 'bob', count: 0, startTime: 2e12 });
    const policy = await seedPolicy(a, b);
    const out = policy.limitWorkers(b, 5);
    assert.equal(out.count, 3);
    assert.equal(
      out.msg,
      'Scale to 5 workers clamped to 3: the shared pool is full (10 of 10 machines in use by 2 users, 3 of them yours).'
    );
  });
});
