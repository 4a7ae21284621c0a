/**
 * A heartbeat's addresses become the cluster's routes (SNI and dashboard), so a scheduler that
 * user code controls from its start (a preload, `PYTHONPATH`) could announce any host: another
 * cluster's dashboard port, a database on the gateway's loopback. When the backend knows the
 * host a cluster's processes bind to (isolated local clusters, Kubernetes pods), a heartbeat
 * announcing any other host is refused and the cluster does not start on it.
 * @module
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Job, type ClusterRecord } from './model.js';
import {
  TEST_CONFIG,
  openHarness,
  type Harness,
  type TestGateway,
} from './testing/reconciler-harness.js';

let h: Harness;
let g: TestGateway;
beforeEach(async () => {
  h = await openHarness();
  // The fake scheduler's API is served on 127.0.0.1: its other addresses are put there too.
  h.backend.expectedHost = '127.0.0.1';
  g = await h.gateway();
});

/** The fake scheduler's heartbeat with every address on 127.0.0.1, and `forged` over it. */
async function beatWith(c: ClusterRecord, forged: Record<string, string> = {}): Promise<void> {
  await g.manager.heartbeat(c, {
    ...h.backend.heartbeat(c.name),
    scheduler_address: 'tls://127.0.0.1:8786',
    dashboard_address: '127.0.0.1:8787',
    ...forged,
  });
  await g.manager.idle();
}
afterEach(async () => {
  if (!g.dead) await g.manager.shutdown();
  await h.close();
});

describe('heartbeat addresses', () => {
  it('accepts the addresses on the host the backend expects (control)', async () => {
    const c = await g.manager.create('alice', {}, TEST_CONFIG);
    await g.manager.idle();
    await beatWith(c);
    assert.equal(c.status, Job.RUNNING);
    assert.equal(c.schedulerAddress, 'tls://127.0.0.1:8786');
  });

  it('accepts a scheduler that reports no dashboard (an empty address)', async () => {
    const c = await g.manager.create('alice', {}, TEST_CONFIG);
    await g.manager.idle();
    await beatWith(c, { dashboard_address: '' });
    assert.equal(c.status, Job.RUNNING);
  });

  for (const [what, forged] of [
    ['scheduler', { scheduler_address: 'tls://10.0.0.5:5432' }],
    ['dashboard', { dashboard_address: '10.88.0.7:8787' }],
    ['api', { api_address: 'http://169.254.169.254:80' }],
  ] as const) {
    it(`refuses a heartbeat announcing another host for the ${what}`, async () => {
      const c = await g.manager.create('alice', {}, TEST_CONFIG);
      await g.manager.idle();
      const before = c.schedulerAddress;
      await beatWith(c, forged);
      assert.equal(c.status, Job.SUBMITTED, 'not RUNNING on a forged address');
      assert.equal(c.schedulerAddress, before);
      assert.ok(!g.routes.has(c.name), 'no route to the forged address');
      // The real scheduler's next heartbeat still brings the cluster up.
      await beatWith(c);
      assert.equal(c.status, Job.RUNNING);
    });
  }
});
