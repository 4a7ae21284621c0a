/**
 * Tests of decayed core-hours (fair share) with an injected clock.
 * @module
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decayedCoreHours } from './fair-share.js';

const HOUR = 3_600_000;
const row = (username: string, cores: number, start: number, stop: number | null) => ({
  username,
  cluster_name: `${username}-c`,
  cores,
  memory: 0,
  start_time: start,
  stop_time: stop,
});

test('usage now counts in full, usage one half-life ago counts half', () => {
  const now = 100 * HOUR;
  const recent = decayedCoreHours([row('a', 2, now - 60_000, now)], now, 10 * HOUR);
  assert.ok(Math.abs((recent.get('a') ?? 0) - 2 / 60) < 1e-4);
  const old = decayedCoreHours(
    [row('a', 2, now - 10 * HOUR - 60_000, now - 10 * HOUR)],
    now,
    10 * HOUR
  );
  assert.ok(Math.abs((old.get('a') ?? 0) - 1 / 60) < 1e-4);
});

test('an open interval runs until now; later intervals and empty ones count nothing', () => {
  const now = 10 * HOUR;
  const u = decayedCoreHours(
    [row('a', 1, now - HOUR, null), row('b', 4, now + HOUR, null), row('c', 1, now, now)],
    now,
    1000 * HOUR
  );
  assert.ok(Math.abs((u.get('a') ?? 0) - 1) < 1e-3);
  assert.equal(u.get('b'), undefined);
  assert.equal(u.get('c'), undefined);
});

test('the same core-hours weigh less the longer ago they were used', () => {
  const now = 50 * HOUR;
  const u = decayedCoreHours(
    [row('early', 4, 0, HOUR), row('late', 4, now - HOUR, now)],
    now,
    24 * HOUR
  );
  assert.ok((u.get('early') ?? 0) < (u.get('late') ?? 0));
  assert.ok((u.get('late') ?? 0) < 4 + 1e-9);
});
