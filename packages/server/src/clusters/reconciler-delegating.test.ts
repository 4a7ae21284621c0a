/**
 * The reconciler over a backend of the delegating shape (`FakeDelegatingBackend`): the engine
 * keeps the worker count, the reconciler tells it the count (`setWorkerCount`) and turns the
 * workers it observes into worker records. Create → RUNNING, scale up and down with named
 * retirements, a vanished worker replaced, stop, and adoption after a restart.
 * @module
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Job, isFinal, type ClusterRecord } from './model.js';
import {
  TEST_CONFIG,
  beat,
  openHarness,
  settle,
  type Harness,
  type TestGateway,
} from './testing/reconciler-harness.js';
import { FakeDelegatingBackend } from './testing/fake-delegating-backend.js';

let fake: FakeDelegatingBackend;
let h: Harness;
let g: TestGateway;
beforeEach(async () => {
  fake = new FakeDelegatingBackend();
  h = await openHarness(fake);
  g = await h.gateway();
});
afterEach(async () => {
  if (!g.dead) await g.manager.shutdown();
  await h.close();
});

/** Names of the unfinished worker records of `c` with `status`. */
function records(c: ClusterRecord, status: number): string[] {
  return [...c.workers.values()]
    .filter((w) => w.status === status && !isFinal(w.target))
    .map((w) => w.name)
    .sort();
}

/** Creates a cluster and brings it to RUNNING with `workers` workers. */
async function running(workers: number): Promise<ClusterRecord> {
  const c = await g.manager.create('alice', {}, TEST_CONFIG);
  await g.manager.idle();
  await beat(h, g, c);
  assert.equal(c.status, Job.RUNNING);
  await g.manager.scale(c, workers, 'alice');
  await settle(h, g, c);
  return c;
}

describe('reconciler over a delegating backend', () => {
  it('scales up by telling the engine the count, and records the observed workers', async () => {
    const c = await running(3);
    assert.equal(fake.workerNames(c.name).length, 3);
    assert.deepEqual(records(c, Job.RUNNING), fake.workerNames(c.name).sort());
    assert.deepEqual(
      fake.calls.map((k) => k.n),
      [0, 3],
      'the count is told when the cluster runs and once per change, not per worker'
    );
    assert.equal(fake.workers(c.name).length, 0, 'no per-job worker was started');
  });

  it('scales down by retiring the workers the scheduler names', async () => {
    const c = await running(3);
    const [kept, ...retired] = fake.workerNames(c.name);
    await g.manager.scale(c, 1, 'alice');
    await settle(h, g, c);
    assert.deepEqual(fake.calls.at(-1), { cluster: c.name, n: 1, retire: retired });
    assert.deepEqual(fake.workerNames(c.name), [kept]);
    for (const name of retired) assert.equal(c.workers.get(name)?.status, Job.STOPPED);
    assert.deepEqual(records(c, Job.RUNNING), [kept]);
  });

  it('reports a vanished worker and re-asserts the count, so the engine replaces it', async () => {
    const c = await running(3);
    const [lost] = fake.workerNames(c.name);
    assert.ok(lost !== undefined);
    const before = fake.calls.length;
    fake.vanish(c.name, lost);
    await g.manager.idle();
    assert.equal(c.workers.get(lost)?.status, Job.FAILED, 'the vanished worker is reported');
    assert.equal(fake.calls.length, before + 1);
    assert.equal(fake.calls.at(-1)?.n, 3, 'the count is re-asserted');
    assert.equal(fake.workerNames(c.name).length, 3);
    await settle(h, g, c);
    assert.equal(records(c, Job.RUNNING).length, 3, 'the replacement is recorded and runs');
  });

  it('fails the cluster once workers keep ending before they connect', async () => {
    const c = await running(0);
    await g.manager.scale(c, 1, 'alice');
    await beat(h, g, c); // the count reaches the reconciler; no heartbeat connects the worker
    for (let i = 1; i <= 3; i++) {
      const [w] = fake.workerNames(c.name);
      assert.ok(w !== undefined && c.workers.get(w)?.status === Job.SUBMITTED);
      fake.exitWorker(c.name, w);
      await g.manager.idle();
      assert.equal(c.workers.get(w)?.status, Job.FAILED, `worker ${String(i)} failed`);
    }
    assert.equal(c.status, Job.FAILED);
    assert.match(c.stopReason ?? '', /3 workers in a row failed to start/);
  });

  it('stops the cluster with its workers', async () => {
    const c = await running(2);
    await g.manager.stop(c, 'requested');
    await g.manager.idle();
    assert.equal(c.status, Job.STOPPED);
    assert.equal(fake.engine.has(c.name), false, 'the engine dropped the cluster');
    assert.ok([...c.workers.values()].every((w) => w.status === Job.STOPPED));
    assert.equal(fake.scheduler(c.name), undefined);
  });

  it('adopts the same workers after a restart, without telling the count again', async () => {
    const c = await running(3);
    const names = fake.workerNames(c.name);
    const calls = fake.calls.length;
    await g.manager.shutdown();
    g = await h.gateway();
    const again = g.manager.get(c.name);
    assert.ok(again !== undefined && again !== c);
    await g.manager.idle();
    await settle(h, g, again);
    assert.equal(again.status, Job.RUNNING);
    assert.deepEqual(records(again, Job.RUNNING), [...names].sort());
    assert.deepEqual(fake.workerNames(c.name), names, 'no worker added or replaced');
    assert.equal(fake.calls.length, calls, 'no setWorkerCount after adoption');
  });
});
