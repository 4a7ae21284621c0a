/**
 * Tests for the Kubernetes pool as the module gets it: the first read, the footprint by profile
 * requests then `worker_requests` then the limits, and changes handed to the gateway's listener.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { resolveClusterConfig } from '../../cluster-options/cluster-config.js';
import type { PoolConfig } from '../../config/schema.js';
import { startKubernetesPool } from './kubernetes-pool.js';
import type { NodeLike } from './node-pool.js';

const GIB = 2 ** 30;
const CONFIG = resolveClusterConfig({ worker_cores: 2, worker_memory: '8 G' }, {}).config;
const BASE: PoolConfig = { machine_types: [], schedulers_take_room: false, user_machine_cap: null };

/** `n` worker nodes of 4 cores / 16 GiB. */
function nodes(n: number): NodeLike[] {
  return Array.from({ length: n }, (_, i) => ({
    metadata: { name: `w${String(i)}`, labels: { dedicated: 'worker' } },
    status: { allocatable: { cpu: '4', memory: '16Gi' } },
  }));
}

describe('startKubernetesPool', () => {
  it('reads the pool, packs by requests, and hands on changes', async () => {
    let present = 1;
    const selectors: (string | undefined)[] = [];
    const pool = await startKubernetesPool({
      listNodes: (selector) => {
        selectors.push(selector);
        return Promise.resolve(nodes(present));
      },
      nodePool: { node_selector: { dedicated: 'worker' }, max_nodes: 3 },
      workerRequests: { cpu: '500m' },
      gateway: {
        pool: BASE,
        profiles: [{ name: 'Small', kubernetes: { requests: { cpu: 1.5, memory: '5G' } } }],
      },
      log: pino({ level: 'silent' }),
    });
    try {
      assert.deepEqual(selectors, ['dedicated=worker']);
      assert.equal(pool.pool.machine_types[0]?.count, 3);
      assert.deepEqual(pool.footprint({ options: { profile: 'Small' }, config: CONFIG }), {
        cores: 1.5,
        memory: 5e9,
      });
      // No profile requests: worker_requests' CPU, and the limit's memory.
      assert.deepEqual(pool.footprint({ options: {}, config: CONFIG }), {
        cores: 0.5,
        memory: 8 * GIB,
      });
      const seen: number[] = [];
      pool.onPoolChange((p) => seen.push(p.machine_types.length));
      assert.equal(await pool.refresh(), false);
      present = 4;
      assert.equal(await pool.refresh(), true);
      assert.deepEqual(seen, [1]);
    } finally {
      pool.stop();
    }
  });
});
