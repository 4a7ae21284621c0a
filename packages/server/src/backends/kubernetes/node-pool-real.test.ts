/**
 * The pool read from a real API server (skipped without `GATEHOUSE_KUBECONFIG`): the real node's
 * allocatable through `@kubernetes/client-node`, with test profiles whose requests are scaled to
 * it so two Small and one Medium fit; and the 10-node accounting with fake Node objects (no
 * kubelet; named `fake-node-…`, deleted at the end) of 4 cores / 16 GiB each.
 * @module
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { resolveClusterConfig } from '../../cluster-options/cluster-config.js';
import type { ClusterRecord } from '../../clusters/model.js';
import { testCluster } from '../../clusters/testing/test-cluster.js';
import type { PoolConfig } from '../../config/schema.js';
import { createClusterPolicy } from '../../pool/cluster-policy.js';
import { footprintByProfile, type Footprint } from '../../pool/footprint.js';
import type { Plain } from './extra-config.js';
import type { NodePoolConfig } from './node-pool-config.js';
import { labelSelectorOf, readNodePool } from './node-pool.js';
import { cpuCores, memoryBytes } from './quantity.js';

const KUBECONFIG = process.env['GATEHOUSE_KUBECONFIG'];
const skip =
  KUBECONFIG === undefined ? 'set GATEHOUSE_KUBECONFIG to a kubeconfig of a test cluster' : false;
const BASE: PoolConfig = { machine_types: [], schedulers_take_room: false, user_machine_cap: null };
const CONFIG = resolveClusterConfig({ worker_cores: 4, worker_memory: '16 G' }, {}).config;

/** A cluster of `profile` (its config's size is the limits, larger than any request here). */
function cluster(profile: string, over: Partial<ClusterRecord> = {}): ClusterRecord {
  return testCluster({ options: { profile }, config: CONFIG, count: 0, ...over });
}

/** The policy over the pool read with `cfg`, packing `requests` per profile. */
async function policyFor(
  api: CoreV1Api,
  cfg: NodePoolConfig,
  requests: ReadonlyMap<string, Footprint>,
  clusters: ClusterRecord[]
) {
  const labelSelector = labelSelectorOf(cfg.node_selector);
  const list = async () =>
    (await api.listNode(labelSelector === undefined ? {} : { labelSelector })).items;
  const reading = await readNodePool(list, cfg, requests, BASE);
  const quotas = { default: {}, groups: {}, users: {} };
  const policy = createClusterPolicy(
    { pool: reading.pool, quotas, footprint: footprintByProfile(requests) },
    () => clusters
  );
  return { reading, policy };
}

describe('the pool read from a real API server', { skip }, () => {
  let api: CoreV1Api;
  const run = randomBytes(4).toString('hex');
  const fakeLabel = { 'gatehouse.test/pool': run };
  const fakes: string[] = [];

  before(() => {
    const kc = new KubeConfig();
    kc.loadFromFile(KUBECONFIG ?? '');
    api = kc.makeApiClient(CoreV1Api);
  });

  after(async () => {
    for (const name of fakes) await api.deleteNode({ name }).catch(() => undefined);
  });

  /** Creates a fake node (no kubelet) with 4 cores / 16 GiB allocatable. */
  async function fakeNode(i: number, unschedulable = false): Promise<void> {
    const name = `fake-node-pool-${run}-${String(i)}`;
    const resources = { cpu: '4', memory: '16Gi', pods: '110' };
    const body: Plain<V1Node> = {
      metadata: { name, labels: fakeLabel },
      spec: { unschedulable },
      status: { allocatable: resources, capacity: resources },
    };
    fakes.push(name);
    await api.createNode({ body });
  }

  it("reads the real node's allocatable, and packs scaled Small and Medium requests on it", async () => {
    const nodes = (await api.listNode()).items.filter(
      (n) => !(n.metadata?.name ?? '').startsWith('fake-')
    );
    const real = nodes[0];
    assert.ok(real?.metadata?.name !== undefined, 'the test cluster has a real node');
    const allocatable = real.status?.allocatable ?? {};
    const cores = cpuCores(allocatable['cpu'], 'allocatable.cpu');
    const millis = Math.round(cores * 1000);
    const memory = memoryBytes(allocatable['memory'], 'allocatable.memory');
    assert.ok(cores > 0 && memory > 0, `allocatable ${JSON.stringify(allocatable)}`);
    // Nebari's requests on a 4-core/16 GiB node, scaled to this node: Small 3/8 of the CPU and
    // 5/16 of the memory, Medium twice that. Two Small fit, a third does not; one Medium fits.
    const scaled = (cpuShare: number, memShare: number) => ({
      cores: Math.floor(millis * cpuShare) / 1000,
      memory: Math.floor(memory * memShare),
    });
    const requests = new Map([
      ['Small', scaled(3 / 8, 5 / 16)],
      ['Medium', scaled(3 / 4, 5 / 8)],
    ]);
    const selector = {
      'kubernetes.io/hostname': real.metadata.labels?.['kubernetes.io/hostname'] ?? '',
    };
    const small = cluster('Small');
    const { reading, policy } = await policyFor(api, { node_selector: selector }, requests, [
      small,
    ]);
    assert.deepEqual(
      reading.pool.machine_types.map((t) => [t.cores, t.memory, t.count]),
      [[cores, memory, 1]]
    );
    assert.deepEqual(policy.limitWorkers(small, 3), {
      count: 2,
      msg: 'Scale to 3 workers clamped to 2: the shared pool is full (1 of 1 machines in use by 1 user, 1 of them yours).',
    });
    const medium = cluster('Medium');
    const m = await policyFor(api, { node_selector: selector }, requests, [medium]);
    assert.equal(m.policy.limitWorkers(medium, 2).count, 1);
    // The autoscaler's ceiling adds template nodes: 1 present + 9 of 4 cores / 16 GiB.
    const capped = await policyFor(
      api,
      { node_selector: selector, max_nodes: 10, node_template: { cpu: 4, memory: '16Gi' } },
      requests,
      []
    );
    assert.deepEqual([capped.reading.present, capped.reading.template], [1, 9]);
    assert.equal(capped.policy.state('alice', false).machines_total, 10);
  });

  it('accounts for 10 nodes of 4 cores / 16 GiB: 20 Small workers, 10 Medium, then the clamp', async () => {
    for (let i = 0; i < 9; i += 1) await fakeNode(i);
    const requests = new Map([
      ['Small', { cores: 1.5, memory: 5e9 }],
      ['Medium', { cores: 3, memory: 10e9 }],
    ]);
    const cfg = { node_selector: fakeLabel, max_nodes: 10 };
    const small = cluster('Small');
    const s = await policyFor(api, cfg, requests, [small]);
    // 9 fake nodes present, the 10th from the largest present node's shape.
    assert.deepEqual([s.reading.present, s.reading.template], [9, 1]);
    assert.deepEqual(s.reading.pool.machine_types, [
      { name: 'node-4cpu-16Gi', cores: 4, memory: 16 * 2 ** 30, count: 10 },
    ]);
    assert.deepEqual(s.policy.limitWorkers(small, 20, 'check'), { count: 20, msg: null });
    assert.deepEqual(s.policy.limitWorkers(small, 25), {
      count: 20,
      msg: 'Scale to 25 workers clamped to 20: the shared pool is full (10 of 10 machines in use by 1 user, 10 of them yours).',
    });
    const medium = cluster('Medium');
    const md = await policyFor(api, cfg, requests, [medium]);
    assert.equal(md.policy.limitWorkers(medium, 12).count, 10);
    // A cordoned 10th node takes the last place of max_nodes and holds nothing.
    await fakeNode(9, true);
    const c = await policyFor(api, cfg, requests, [small]);
    assert.deepEqual([c.reading.present, c.reading.cordoned, c.reading.template], [9, 1, 0]);
    assert.equal(c.policy.limitWorkers(small, 25).count, 18);
  });
});
