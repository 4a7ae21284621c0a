/**
 * The reconciler's state machine against `FakeBackend` (no real processes), an in-memory store
 * and an injected clock: create → SUBMITTED → RUNNING on a heartbeat, scale up and down, a
 * worker exit and its replacement, a scheduler exit (FAILED with its reason), stop → STOPPED,
 * timeouts, the periodic resync, start-up adoption and orphan decisions.
 * @module
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Job, publicStatus, type ClusterRecord } from './model.js';
import { sweepTimeouts } from './sweeps.js';
import {
  TEST_CONFIG,
  beat,
  inconsistencies,
  openHarness,
  settle,
  type Harness,
  type TestGateway,
} from './testing/reconciler-harness.js';

let h: Harness;
let g: TestGateway;
beforeEach(async () => {
  h = await openHarness();
  g = await h.gateway();
});
afterEach(async () => {
  if (!g.dead) await g.manager.shutdown();
  await h.close();
});

/** Creates a cluster and brings it to RUNNING with `workers` workers. */
async function running(workers = 0): Promise<ClusterRecord> {
  const c = await g.manager.create('alice', {}, TEST_CONFIG);
  await g.manager.idle();
  await beat(h, g, c);
  if (workers > 0) {
    await g.manager.scale(c, workers, 'alice');
    await settle(h, g, c);
  }
  return c;
}

/** Waits (bounded) until `pred` holds; the resync timer runs on real time. */
async function until(pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !pred(); i++) await sleep(10);
  assert.ok(pred(), `timed out waiting for ${what}`);
}

describe('reconciler state machine', () => {
  it('create → SUBMITTED → RUNNING on the first heartbeat', async () => {
    const c = await g.manager.create('alice', {}, TEST_CONFIG);
    assert.equal(c.status, Job.CREATED);
    await g.manager.idle();
    assert.equal(c.status, Job.SUBMITTED);
    assert.equal(publicStatus(c), 'PENDING');
    assert.ok(h.backend.scheduler(c.name), 'the scheduler runs');
    await beat(h, g, c);
    assert.equal(c.status, Job.RUNNING);
    assert.ok(g.routes.has(c.name), 'routes added');
    assert.deepEqual(inconsistencies(h, g), []);
  });

  it('scales up and down through the scheduler', async () => {
    const c = await running(2);
    assert.equal(h.backend.workers(c.name).length, 2);
    assert.equal([...c.workers.values()].filter((w) => w.status === Job.RUNNING).length, 2);
    await g.manager.scale(c, 1, 'alice');
    await settle(h, g, c);
    assert.equal(h.backend.workers(c.name).length, 1);
    const stopped = [...c.workers.values()].filter((w) => w.status === Job.STOPPED);
    assert.equal(stopped.length, 1, 'the retired worker is STOPPED, not FAILED');
    assert.deepEqual(inconsistencies(h, g), []);
  });

  it('replaces a worker that exited', async () => {
    const c = await running(1);
    const [first] = h.backend.workers(c.name);
    assert.ok(first);
    h.backend.exit(first);
    await settle(h, g, c);
    const w = c.workers.get(first.workerName ?? '');
    assert.equal(w?.status, Job.FAILED);
    assert.equal(h.backend.workers(c.name).length, 1, 'a replacement runs');
    assert.notEqual(h.backend.workers(c.name)[0]?.workerName, first.workerName);
    assert.equal(c.status, Job.RUNNING);
  });

  it('fails a cluster whose scheduler exits, with the reason and its last output', async () => {
    const c = await running(1);
    h.backend.tail = 'Traceback: boom';
    const sched = h.backend.scheduler(c.name);
    assert.ok(sched);
    h.backend.exit(sched, 'signal SIGKILL');
    await until(() => c.status === Job.FAILED, 'the cluster to fail'); // exits are async events
    assert.equal(c.status, Job.FAILED);
    assert.equal(c.target, Job.FAILED);
    assert.equal(c.stopReason, 'scheduler exited (signal SIGKILL); last output:\nTraceback: boom');
    assert.equal(h.backend.live().length, 0, 'its workers are stopped too');
    assert.ok(!g.routes.has(c.name));
  });

  it('a scheduler that cannot start fails the cluster', async () => {
    h.backend.failSchedulerStart = 'no such command';
    const c = await g.manager.create('alice', {}, TEST_CONFIG);
    await g.manager.idle();
    assert.equal(publicStatus(c), 'FAILED');
    assert.equal(c.stopReason, 'scheduler failed to start: no such command');
  });

  it('stop → STOPPED, every process gone', async () => {
    const c = await running(2);
    await g.manager.stop(c, 'user', 'alice');
    await g.manager.idle();
    assert.equal(c.status, Job.STOPPED);
    assert.equal(c.stopReason, 'user');
    assert.equal(h.backend.live().length, 0);
    assert.ok([...c.workers.values()].every((w) => w.status === Job.STOPPED));
  });

  it('a scheduler that never reports its addresses times out on the injected clock', async () => {
    const c = await g.manager.create('alice', {}, TEST_CONFIG);
    await g.manager.idle();
    await sweepTimeouts(g.state);
    assert.equal(c.status, Job.SUBMITTED, 'not yet');
    h.now += 11_000;
    await sweepTimeouts(g.state);
    await g.manager.idle();
    assert.equal(c.status, Job.FAILED);
    assert.equal(c.stopReason, 'scheduler did not report its addresses within 10 s');
  });

  it('a missed heartbeat timeout fails a running cluster', async () => {
    const c = await running();
    h.now += 11_000;
    await sweepTimeouts(g.state);
    await g.manager.idle();
    assert.equal(c.stopReason, 'no heartbeat from the scheduler for 10 s');
    assert.equal(publicStatus(c), 'FAILED');
  });
});

describe('periodic resync', () => {
  it('repairs a missed event: a count changed without an enqueue is acted on', async () => {
    await g.manager.shutdown();
    g = await h.gateway({ timing: { clusterStatusPeriod: 0.05 } });
    const c = await running();
    c.count = 1; // as if the event that should have enqueued the cluster was lost
    await until(() => c.workers.size === 1, 'the resync to add a worker');
    await g.manager.idle();
    assert.equal(h.backend.workers(c.name).length, 1);
  });

  it('repairs a lost backend notice: an exited scheduler is observed at the next resync', async () => {
    const c = await running(1);
    h.backend.dropNotices = true;
    const sched = h.backend.scheduler(c.name);
    assert.ok(sched);
    h.backend.exit(sched, 'exit code 3');
    await sleep(20);
    await g.manager.idle();
    assert.equal(c.target, Job.RUNNING, 'nothing told the manager: nothing decided yet');
    g.manager.resync();
    await g.manager.idle();
    assert.equal(c.status, Job.FAILED);
    assert.equal(c.stopReason, 'scheduler exited (exit code 3)');
    assert.equal(h.backend.live().length, 0, 'its worker is stopped too');
  });

  it('repairs a lost backend notice of a worker that died before connecting', async () => {
    const c = await running(0);
    h.backend.dropNotices = true;
    await g.manager.scale(c, 1, 'alice');
    await beat(h, g, c);
    const [w] = [...c.workers.values()];
    const p = h.backend.workers(c.name)[0];
    assert.ok(w !== undefined && p !== undefined && w.status === Job.SUBMITTED);
    h.backend.exit(p);
    await g.manager.idle();
    assert.equal(w.target, Job.RUNNING, 'not learned without a notice');
    g.manager.resync();
    await g.manager.idle();
    assert.equal(w.status, Job.FAILED);
    assert.equal(c.failures, 1);
  });

  it('is idempotent: resyncing a settled cluster changes nothing', async () => {
    const c = await running(2);
    const before = JSON.stringify([...c.workers.values()]);
    const pids = h.backend.live().map((p) => p.pid);
    for (let i = 0; i < 3; i++) {
      g.manager.resync();
      await g.manager.idle();
    }
    assert.equal(JSON.stringify([...c.workers.values()]), before);
    assert.deepEqual(
      h.backend.live().map((p) => p.pid),
      pids
    );
  });
});

describe('adoption and orphans at start-up', () => {
  it('keeps a live cluster and its workers', async () => {
    const c = await running(2);
    const pids = h.backend
      .live()
      .map((p) => p.pid)
      .sort();
    g.crash();
    g = await h.gateway();
    const again = g.manager.get(c.name);
    assert.equal(again?.status, Job.RUNNING);
    assert.ok(g.routes.has(c.name), 'routes restored');
    await settle(h, g, again);
    assert.deepEqual(
      h.backend
        .live()
        .map((p) => p.pid)
        .sort(),
      pids,
      'same processes'
    );
  });

  it('fails a cluster whose scheduler died while the gateway was down', async () => {
    const c = await running(1);
    g.crash();
    for (const p of h.backend.live()) if (p.workerName === null) p.alive = false;
    g = await h.gateway();
    await g.manager.idle();
    const again = g.manager.get(c.name);
    assert.equal(again?.status, Job.FAILED);
    assert.equal(again.stopReason, 'the scheduler died while the gateway was down');
    assert.equal(h.backend.live().length, 0);
  });

  it('replaces a worker that died while the gateway was down', async () => {
    const c = await running(1);
    g.crash();
    const [w] = h.backend.workers(c.name);
    assert.ok(w);
    w.alive = false;
    g = await h.gateway();
    const again = g.manager.get(c.name);
    assert.ok(again);
    await settle(h, g, again);
    assert.equal(again.workers.get(w.workerName ?? '')?.status, Job.FAILED);
    assert.equal(h.backend.workers(c.name).length, 1);
  });

  it('kills processes no record claims and keeps claimed ones', async () => {
    const c = await running(1);
    const ghost = h.backend.spawn('ghost', null);
    const stray = h.backend.spawn(c.name, 'not-a-record');
    g.crash();
    g = await h.gateway();
    assert.equal(ghost.alive, false);
    assert.equal(stray.alive, false);
    assert.ok(h.backend.scheduler(c.name), 'the claimed scheduler is kept');
    assert.equal(h.backend.workers(c.name).length, 1, 'the claimed worker is kept');
    assert.deepEqual(inconsistencies(h, g), []);
  });

  it('an orphan scan with grace kills only what was unclaimed twice', async () => {
    const { reapOrphans } = await import('./adoption.js');
    await running();
    const ghost = h.backend.spawn('ghost', null);
    await reapOrphans(g.state, true);
    assert.equal(ghost.alive, true, 'first sighting is spared');
    await reapOrphans(g.state, true);
    assert.equal(ghost.alive, false);
  });
});
