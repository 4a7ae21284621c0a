/**
 * Tests for the pool read from Kubernetes nodes: which nodes count (selector, cordoned, NotReady,
 * deleting), grouping by allocatable, the template nodes up to `max_nodes`, scaling from zero,
 * the refusals naming the key, profile warnings, and the refresher.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PoolConfig } from '../../config/schema.js';
import type { NodePoolConfig } from './node-pool-config.js';
import { profileRequests, readNodePool, type NodeLike } from './node-pool.js';
import { createNodePoolRefresher } from './node-pool-refresh.js';

const GIB = 2 ** 30;
const BASE: PoolConfig = { machine_types: [], schedulers_take_room: false, user_machine_cap: null };
const WORKER = { dedicated: 'worker' };

/** A node with labels, allocatable and flags. */
function node(
  name: string,
  cpu: string,
  memory: string,
  labels: Record<string, string> = WORKER,
  extra: { unschedulable?: boolean; deleting?: boolean } = {}
): NodeLike {
  return {
    metadata: {
      name,
      labels,
      ...(extra.deleting === true ? { deletionTimestamp: new Date() } : {}),
    },
    spec: { unschedulable: extra.unschedulable === true },
    status: { allocatable: { cpu, memory, pods: '110' } },
  };
}

/** Reads the pool from `nodes` with `cfg` (selector `dedicated=worker` unless given). */
function read(nodes: NodeLike[], cfg: Partial<NodePoolConfig> = {}, requests = new Map()) {
  return readNodePool(
    () => Promise.resolve(nodes),
    { node_selector: WORKER, ...cfg },
    requests,
    BASE
  );
}

describe('readNodePool', () => {
  it('counts the matching nodes, grouped by allocatable, largest first', async () => {
    const r = await read([
      node('a', '4', '16Gi'),
      node('b', '8', '32Gi'),
      node('c', '4000m', '16384Mi'),
      node('general', '16', '64Gi', { dedicated: 'general' }),
      node('nolabel', '16', '64Gi', {}),
    ]);
    assert.deepEqual(r.pool.machine_types, [
      { name: 'node-8cpu-32Gi', cores: 8, memory: 32 * GIB, count: 1 },
      { name: 'node-4cpu-16Gi', cores: 4, memory: 16 * GIB, count: 2 },
    ]);
    assert.equal(r.present, 3);
    assert.equal(r.template, 0);
  });

  it('an empty selector takes every node, and the base pool settings are kept', async () => {
    const base = { ...BASE, user_machine_cap: 5, schedulers_take_room: true };
    const r = await readNodePool(
      () => Promise.resolve([node('x', '3920m', '15842516Ki', {})]),
      { node_selector: {} },
      new Map(),
      base
    );
    assert.deepEqual(r.pool, {
      ...base,
      machine_types: [
        { name: 'node-3920m-cpu-15842516Ki', cores: 3.92, memory: 15842516 * 1024, count: 1 },
      ],
    });
  });

  it('adds template nodes up to max_nodes: 1 present + 9 from the template', async () => {
    const r = await read([node('a', '4', '16Gi')], {
      max_nodes: 10,
      node_template: { cpu: 4, memory: '16Gi' },
    });
    assert.deepEqual(r.pool.machine_types, [
      { name: 'node-4cpu-16Gi', cores: 4, memory: 16 * GIB, count: 10 },
    ]);
    assert.deepEqual([r.present, r.template], [1, 9]);
  });

  it('keeps a template of another shape apart, after the present nodes', async () => {
    const r = await read([node('a', '2', '8Gi')], {
      max_nodes: 3,
      node_template: { cpu: '4', memory: '16Gi' },
    });
    assert.deepEqual(
      r.pool.machine_types.map((t) => [t.name, t.count]),
      [
        ['node-2cpu-8Gi', 1],
        ['node-4cpu-16Gi', 2],
      ]
    );
  });

  it('without a template, added nodes are shaped like the largest present node', async () => {
    const r = await read([node('a', '2', '8Gi'), node('b', '4', '16Gi')], { max_nodes: 4 });
    assert.deepEqual(
      r.pool.machine_types.map((t) => [t.name, t.count]),
      [
        ['node-4cpu-16Gi', 3],
        ['node-2cpu-8Gi', 1],
      ]
    );
  });

  it('scales from zero with max_nodes and a template', async () => {
    const r = await read([], { max_nodes: 10, node_template: { cpu: '3920m', memory: '15Gi' } });
    assert.deepEqual(r.pool.machine_types, [
      { name: 'node-3920m-cpu-15Gi', cores: 3.92, memory: 15 * GIB, count: 10 },
    ]);
  });

  it('cordoned nodes hold no workers but take a max_nodes place; deleting nodes are gone', async () => {
    const nodes = [
      node('a', '4', '16Gi'),
      node('cordoned', '4', '16Gi', WORKER, { unschedulable: true }),
      node('leaving', '4', '16Gi', WORKER, { deleting: true }),
    ];
    const r = await read(nodes, { max_nodes: 10 });
    assert.deepEqual([r.present, r.cordoned, r.template], [1, 1, 8]);
    assert.equal(r.pool.machine_types[0]?.count, 9);
    // Positive control: uncordoned and not deleting, all three are capacity.
    const all = await read([
      node('a', '4', '16Gi'),
      node('b', '4', '16Gi'),
      node('c', '4', '16Gi'),
    ]);
    assert.equal(all.pool.machine_types[0]?.count, 3);
  });

  it('counts NotReady nodes (readiness is not read), and skips nodes with no allocatable yet', async () => {
    const notReady = {
      ...node('b', '4', '16Gi'),
      status: {
        allocatable: { cpu: '4', memory: '16Gi' },
        conditions: [{ type: 'Ready', status: 'False' }],
      },
    };
    const unregistered: NodeLike = { metadata: { name: 'c', labels: WORKER }, status: {} };
    const r = await read([node('a', '4', '16Gi'), notReady, unregistered]);
    assert.equal(r.pool.machine_types[0]?.count, 2);
    assert.match(r.warnings.join('\n'), /1 matching node\(s\) report no allocatable/);
  });

  it('refuses a pool with no node at all, naming the keys', async () => {
    await assert.rejects(
      read([node('g', '4', '16Gi', { dedicated: 'general' })]),
      /backend\.node_pool: no node matches node_selector \{"dedicated":"worker"\}; .* set backend\.node_pool\.max_nodes and backend\.node_pool\.node_template/
    );
    await assert.rejects(
      read([], { max_nodes: 10 }),
      /backend\.node_pool: .* set backend\.node_pool\.node_template/
    );
    await assert.rejects(
      read([], { max_nodes: 2, node_template: { cpu: '4x', memory: '1Gi' } }),
      /backend\.node_pool\.node_template\.cpu: "4x" is not a Kubernetes quantity/
    );
  });

  it('warns of more matching nodes than max_nodes, and of profiles no node holds', async () => {
    const requests = new Map([
      ['Small', { cores: 1.5, memory: 5e9 }],
      ['Huge', { cores: 16, memory: 5e9 }],
    ]);
    const r = await read(
      [node('a', '4', '16Gi'), node('b', '4', '16Gi')],
      { max_nodes: 1 },
      requests
    );
    assert.equal(r.pool.machine_types[0]?.count, 2);
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0] ?? '', /2 nodes match .* more than backend\.node_pool\.max_nodes 1/);
    assert.match(r.warnings[1] ?? '', /profile "Huge" requests 16 cores/);
  });
});

describe('profileRequests', () => {
  it('reads each profile’s requests, and names the key of a bad one', () => {
    const profiles = [
      { name: 'Small', kubernetes: { requests: { cpu: 1.5, memory: '5G' } } },
      { name: 'Plain' },
      { name: 'Medium', kubernetes: { requests: { cpu: '3000m', memory: '10G' } } },
    ];
    assert.deepEqual(
      [...profileRequests(profiles)],
      [
        ['Small', { cores: 1.5, memory: 5e9 }],
        ['Medium', { cores: 3, memory: 10e9 }],
      ]
    );
    assert.throws(
      () =>
        profileRequests([
          { name: 'x' },
          { name: 'y', kubernetes: { requests: { cpu: 1, memory: '5GB' } } },
        ]),
      /^QuantityError: profiles\[1\]\.kubernetes\.requests\.memory: "5GB" is not a Kubernetes quantity/
    );
  });
});

describe('createNodePoolRefresher', () => {
  it('hands on a changed pool only, and keeps the last one when a read fails', async () => {
    let nodes = [node('a', '4', '16Gi')];
    let fail = false;
    const seen: number[] = [];
    const errors: unknown[] = [];
    const first = await read(nodes);
    const refresher = createNodePoolRefresher({
      read: () => (fail ? Promise.reject(new Error('api down')) : read(nodes)),
      initial: first.pool,
      onPool: (r) => seen.push(r.pool.machine_types[0]?.count ?? 0),
      onError: (e) => errors.push(e),
    });
    assert.equal(await refresher.refresh(), false);
    nodes = [node('a', '4', '16Gi'), node('b', '4', '16Gi')];
    assert.equal(await refresher.refresh(), true);
    assert.equal(await refresher.refresh(), false);
    fail = true;
    assert.equal(await refresher.refresh(), false);
    assert.equal(errors.length, 1);
    fail = false;
    nodes = [node('a', '4', '16Gi')];
    assert.equal(await refresher.refresh(), true);
    assert.deepEqual(seen, [2, 1]);
    refresher.start(3_600_000);
    refresher.stop();
  });
});
