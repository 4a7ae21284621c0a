/**
 * Tests of core-hour budgets over a real SQLite store (usage and grants) with an injected
 * clock: limits by user, group and default; periods; the warning, the refusals, the stop after
 * the grace period; and extra hours granted by an admin.
 * @module
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Clock } from '../clock.js';
import { Job, type ClusterRecord } from '../clusters/model.js';
import { testCluster } from '../clusters/testing/test-cluster.js';
import { BudgetsConfig } from '../config/sections/budgets.js';
import { GatewayError } from '../errors.js';
import { createAccessStore } from '../store/access-store.js';
import { openDatabase } from '../store/db.js';
import { createBudgetGrants } from './budget-grants.js';
import { periodBounds } from './budget-period.js';
import { budgetLimit } from './budget-status.js';
import { Budgets } from './budgets.js';

const HOUR = 3_600_000;
/** 2026-12-07 12:00 UTC, a Monday. */
const T0 = Date.UTC(2026, 11, 7, 12);

const cfg = (over: Partial<BudgetsConfig> = {}): BudgetsConfig => ({
  period: 'month',
  users: {},
  groups: {},
  default: null,
  grace_period: 60,
  warn_at: 0.8,
  check_period: 30,
  ...over,
});

test('periods are the UTC calendar month, the week from Monday, the day', () => {
  assert.deepEqual(periodBounds('month', T0), {
    start: Date.UTC(2026, 11, 1),
    end: Date.UTC(2027, 0, 1),
  });
  const sunday = Date.UTC(2026, 11, 13, 23);
  assert.deepEqual(periodBounds('week', sunday), {
    start: Date.UTC(2026, 11, 7),
    end: Date.UTC(2026, 11, 14),
  });
  assert.equal(periodBounds('week', T0).start, Date.UTC(2026, 11, 7));
  assert.equal(periodBounds('day', T0).start, Date.UTC(2026, 11, 7));
});

test("a user's own budget beats their groups', the largest group wins, else the default", () => {
  const c = cfg({ users: { alice: 5, bob: null }, groups: { a: 10, b: 20 }, default: 1 });
  assert.equal(budgetLimit(c, 'alice', ['b']), 5);
  assert.equal(budgetLimit(c, 'bob', ['b']), null);
  assert.equal(budgetLimit(c, 'carol', ['a', 'b']), 20);
  assert.equal(budgetLimit(c, 'dave', ['x']), 1);
  assert.equal(budgetLimit({ ...c, groups: { a: 10, b: null } }, 'carol', ['a', 'b']), null);
});

/** Budgets over a fresh in-memory SQLite store; the clock is `clock.t`. */
async function setup(config: BudgetsConfig) {
  const db = await openDatabase(':memory:');
  const access = createAccessStore(db);
  const clock: Clock & { t: number } = {
    t: T0,
    now(): number {
      return this.t;
    },
  };
  const clusters: ClusterRecord[] = [];
  const stopped: string[] = [];
  const events: string[] = [];
  const budgets = new Budgets({
    config,
    clock,
    usageSince: (since) => access.usageSince(since),
    grants: createBudgetGrants(db),
    groupsOf: () => [],
    clusters: () => clusters,
    stop: (c, reason) => {
      c.target = Job.STOPPED;
      c.stopReason = reason;
      stopped.push(`${c.name}:${reason}`);
      return Promise.resolve();
    },
    emit: (c, type) => {
      events.push(`${c.name}:${type}`);
    },
  });
  /** Alice's cluster, running `cores` cores since `start`. */
  const run = async (name: string, cores: number, start: number) => {
    const c = testCluster({ name, username: 'alice', status: Job.RUNNING, count: 1 });
    clusters.push(c);
    await access.startUsage({
      id: name,
      username: 'alice',
      cluster_name: name,
      kind: 'worker',
      cores,
      memory: 0,
      start_time: start,
    });
    return c;
  };
  return { db, budgets, clock, run, stopped, events };
}

test('used core-hours come from the recorded usage of this period only', async () => {
  const { db, budgets, clock, run } = await setup(cfg({ default: 10 }));
  await run('c1', 2, Date.UTC(2026, 10, 30, 23)); // 1 h of it in November
  clock.t = Date.UTC(2026, 11, 1, 2); // 2 h into December
  const s = await budgets.status('alice');
  assert.ok(Math.abs(s.used_core_hours - 4) < 1e-9);
  assert.ok(Math.abs((s.left_core_hours ?? 0) - 6) < 1e-9);
  assert.equal(s.state, 'ok');
  assert.equal((await budgets.status('nobody')).used_core_hours, 0);
  await db.destroy();
});

test('no budget: nothing is refused or warned', async () => {
  const { db, budgets, run } = await setup(cfg());
  const c = await run('c1', 4, T0 - 100 * HOUR);
  assert.equal(budgets.enabled, false);
  assert.equal(await budgets.checkScale(c, 10), null);
  await budgets.checkCreate('alice');
  assert.equal((await budgets.status('alice')).state, 'none');
  await db.destroy();
});

test('past warn_at a scale warns; out of hours creates and scale-ups are refused', async () => {
  const { db, budgets, clock, run } = await setup(cfg({ users: { alice: 1 } }));
  const c = await run('c1', 1, T0);
  clock.t = T0 + 0.5 * HOUR;
  assert.equal(await budgets.checkScale(c, 2), null);
  clock.t = T0 + 0.85 * HOUR;
  const warning = await budgets.checkScale(c, 2);
  assert.match(warning ?? '', /used 85% of your budget of 1 core-hours this month/);
  clock.t = T0 + 1.01 * HOUR;
  await assert.rejects(budgets.checkScale(c, 2), (err: unknown) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'quota_exceeded');
    assert.match(err.message, /Cannot scale up: Your budget of 1 core-hours this month is used up/);
    return true;
  });
  // Scaling down (or to the same count) is never refused.
  assert.match((await budgets.checkScale(c, 0)) ?? '', /used up/);
  // Lowering what a cluster waits for in the pool's queue is no scale-up either.
  assert.match((await budgets.checkScale(c, 3, 5)) ?? '', /used up/);
  await assert.rejects(budgets.checkCreate('alice'), /Cannot start a cluster/);
  await db.destroy();
});

test('the sweep warns once, then stops running clusters after the grace period', async () => {
  const { db, budgets, clock, run, stopped, events } = await setup(
    cfg({ users: { alice: 1 }, grace_period: 60 })
  );
  await run('c1', 1, T0);
  clock.t = T0 + 0.9 * HOUR;
  await budgets.sweep();
  await budgets.sweep();
  assert.deepEqual(events, ['c1:budget.warning']);
  clock.t = T0 + 1.1 * HOUR;
  await budgets.sweep();
  assert.deepEqual(events, ['c1:budget.warning', 'c1:budget.exhausted']);
  assert.deepEqual(stopped, []);
  clock.t += 59_000;
  await budgets.sweep();
  assert.deepEqual(stopped, []);
  clock.t += 1_000;
  await budgets.sweep();
  assert.deepEqual(stopped, ['c1:budget']);
  await db.destroy();
});

test('extra hours granted by an admin count this period and lift the refusal', async () => {
  const { db, budgets, clock, run, stopped } = await setup(cfg({ users: { alice: 1 } }));
  const c = await run('c1', 1, T0);
  clock.t = T0 + 1.5 * HOUR;
  await budgets.sweep();
  const s = await budgets.grant('alice', 2, 'admin', 'deadline');
  assert.equal(s.extra_core_hours, 2);
  assert.equal(s.state, 'ok');
  assert.equal(await budgets.checkScale(c, 2), null);
  clock.t += 3_600_000;
  await budgets.sweep();
  assert.deepEqual(stopped, []); // 2.5 of 3 core-hours used: still within the extra hours
  const grants = await budgets.grantsOf('alice');
  assert.deepEqual(
    grants.map((g) => [g.hours, g.granted_by, g.note]),
    [[2, 'admin', 'deadline']]
  );
  // Next month the grant no longer counts.
  clock.t = Date.UTC(2027, 0, 1, 1);
  assert.equal((await budgets.status('alice')).extra_core_hours, 0);
  await db.destroy();
});
