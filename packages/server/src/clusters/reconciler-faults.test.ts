/**
 * Every registered fault point against `FakeBackend`: a gateway walks one cluster through its
 * life (create, first heartbeat, scale, a worker, adapt, a worker exit and its replacement,
 * stop) and dies at the armed point; a fresh gateway on the same store must converge: records
 * and processes agree, the cluster runs (or, when it died stopping, ends STOPPED), and a stop
 * then leaves no process behind.
 * @module
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { FAULT_POINT_NAMES, type FaultPoint } from '../faults/fault-points.js';
import { Job, isFinal, type ClusterRecord } from './model.js';
import type { Harness, TestGateway } from './testing/reconciler-harness.js';
import { TEST_CONFIG, inconsistencies, openHarness, settle } from './testing/reconciler-harness.js';

/**
 * The points one cluster's life reaches. The pool queue's grant points need a full pool and a
 * second cluster waiting; the fault suite (`python/tests/faults/`) drives those.
 */
const LIFE_POINTS = FAULT_POINT_NAMES.filter((p) => !p.startsWith('grant.'));

/** Whether `g` died (a call, so each read sees the current value). */
const died = (g: TestGateway): boolean => g.dead;

/** Runs `step` unless the gateway died; a step that dies at the fault point throws. */
async function step(g: TestGateway, fn: () => Promise<unknown>): Promise<void> {
  if (died(g)) return;
  try {
    await fn();
    await g.manager.idle();
  } catch (err) {
    if (!died(g)) throw err;
  }
}

/** One cluster's whole life, stopping early when the gateway dies; returns the cluster's name. */
async function life(h: Harness, g: TestGateway, reached: Set<string>): Promise<string> {
  let c: ClusterRecord | undefined;
  const record = (): ClusterRecord => {
    const found = c ?? [...g.state.clusters.values()][0];
    assert.ok(found, 'the cluster record exists');
    return found;
  };
  await step(g, async () => (c = await g.manager.create('alice', {}, TEST_CONFIG)));
  await step(g, () => settle(h, g, record(), 1)); // the first heartbeat
  await step(g, () => g.manager.scale(record(), 1, 'alice'));
  await step(g, () => settle(h, g, record()));
  await step(g, () => g.manager.adapt(record(), { minimum: 1, maximum: 1, active: true }, 'alice'));
  await step(g, async () => {
    const [w] = h.backend.workers(record().name);
    assert.ok(w, 'a worker runs before the exit step');
    h.backend.exit(w);
    await settle(h, g, record());
  });
  reached.add('before-stop');
  await step(g, () => g.manager.stop(record(), 'user', 'alice'));
  return record().name;
}

/** What a restarted gateway must reach after dying at `point`. */
async function converge(h: Harness, name: string, point: FaultPoint): Promise<void> {
  const g = await h.gateway();
  const c = g.manager.get(name);
  if (c === undefined) {
    assert.equal(h.backend.live().length, 0, 'no record, no process');
    await g.manager.shutdown();
    return;
  }
  await settle(h, g, c);
  assert.deepEqual(inconsistencies(h, g), [], 'records and processes agree');
  if (point.startsWith('stop.')) {
    assert.equal(c.status, Job.STOPPED, `a cluster dying at ${point} ends STOPPED`);
  } else {
    assert.equal(c.status, Job.RUNNING, `the cluster runs again after ${point}`);
    const wanted = h.backend.wanted.get(name) ?? 0;
    assert.equal(h.backend.workers(name).length, wanted, 'as many workers as the scheduler wants');
    await g.manager.stop(c, 'user', 'alice');
    await g.manager.idle();
    assert.equal(c.status, Job.STOPPED);
  }
  assert.ok(isFinal(c.status));
  assert.equal(h.backend.live().length, 0, 'no process is left behind');
  await g.manager.shutdown();
}

describe('every fault point converges after a restart', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('the life without a fault reaches every point (positive control)', async () => {
    h = await openHarness();
    const reached = new Set<string>();
    const g = await h.gateway();
    const spy = g.state.faults.reach.bind(g.state.faults);
    (g.state as { faults: { reach: (p: FaultPoint) => void } }).faults = {
      reach: (p) => {
        reached.add(p);
        spy(p);
      },
    };
    const name = await life(h, g, reached);
    await g.manager.idle();
    assert.deepEqual(
      LIFE_POINTS.filter((p) => !reached.has(p)),
      [],
      'points the life never reaches'
    );
    assert.equal(g.manager.get(name)?.status, Job.STOPPED);
    await g.manager.shutdown();
  });

  for (const point of LIFE_POINTS) {
    it(`dies at ${point}`, async () => {
      h = await openHarness();
      const g = await h.gateway({ crashAt: point });
      const name = await life(h, g, new Set());
      assert.ok(g.dead, `the gateway reached ${point}`);
      await g.manager.idle();
      await converge(h, name, point);
    });
  }
});
