/**
 * Tests for `usageByDay`, the admin usage report: intervals split at midnight UTC, open intervals
 * counted up to now, the window start clipping, and the core-hour and GiB-hour arithmetic.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { usageByDay } from './admin.js';

const GIB = 2 ** 30;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Milliseconds of an ISO time in UTC. */
function at(iso: string): number {
  return Date.parse(iso);
}

/** One usage interval. */
function row(
  username: string,
  cores: number,
  memory: number,
  start: string,
  stop: string | null
): {
  username: string;
  cores: number;
  memory: number;
  start_time: number;
  stop_time: number | null;
} {
  return {
    username,
    cores,
    memory,
    start_time: at(start),
    stop_time: stop === null ? null : at(stop),
  };
}

const SINCE = at('2024-03-01T00:00:00Z');
const NOW = at('2024-03-08T00:00:00Z');

describe('usageByDay', () => {
  it('is empty without intervals', () => {
    assert.deepEqual(usageByDay([], SINCE, NOW), []);
  });

  it('counts core-hours and GiB-hours of an interval within one day', () => {
    const rows = [row('alice', 2, 8 * GIB, '2024-03-02T10:00:00Z', '2024-03-02T13:00:00Z')];
    assert.deepEqual(usageByDay(rows, SINCE, NOW), [
      { username: 'alice', day: '2024-03-02', core_hours: 6, memory_gib_hours: 24 },
    ]);
  });

  it('uses fractional hours and fractional GiB', () => {
    const rows = [row('alice', 1, 512 * 2 ** 20, '2024-03-02T10:00:00Z', '2024-03-02T10:45:00Z')];
    assert.deepEqual(usageByDay(rows, SINCE, NOW), [
      { username: 'alice', day: '2024-03-02', core_hours: 0.75, memory_gib_hours: 0.375 },
    ]);
  });

  it('splits an interval spanning midnight UTC between the two days', () => {
    const rows = [row('alice', 4, 16 * GIB, '2024-03-02T22:30:00Z', '2024-03-03T01:00:00Z')];
    assert.deepEqual(usageByDay(rows, SINCE, NOW), [
      { username: 'alice', day: '2024-03-02', core_hours: 6, memory_gib_hours: 24 },
      { username: 'alice', day: '2024-03-03', core_hours: 4, memory_gib_hours: 16 },
    ]);
  });

  it('splits by UTC days whatever the time zone of the start (offsets in the input)', () => {
    // 23:00 at +02:00 is 21:00 UTC.
    const rows = [
      {
        username: 'alice',
        cores: 1,
        memory: GIB,
        start_time: at('2024-03-02T23:00:00+02:00'),
        stop_time: at('2024-03-03T01:00:00+02:00'),
      },
    ];
    assert.deepEqual(usageByDay(rows, SINCE, NOW), [
      { username: 'alice', day: '2024-03-02', core_hours: 2, memory_gib_hours: 2 },
    ]);
  });

  it('gives whole days in the middle of a long interval 24 hours each', () => {
    const rows = [row('bob', 2, GIB, '2024-03-02T12:00:00Z', '2024-03-05T06:00:00Z')];
    assert.deepEqual(
      usageByDay(rows, SINCE, NOW).map((d) => [d.day, d.core_hours, d.memory_gib_hours]),
      [
        ['2024-03-02', 24, 12],
        ['2024-03-03', 48, 24],
        ['2024-03-04', 48, 24],
        ['2024-03-05', 12, 6],
      ]
    );
  });

  it('counts an open interval up to now', () => {
    const now = at('2024-03-07T15:00:00Z');
    const rows = [row('carol', 2, 4 * GIB, '2024-03-06T21:00:00Z', null)];
    assert.deepEqual(usageByDay(rows, SINCE, now), [
      { username: 'carol', day: '2024-03-06', core_hours: 6, memory_gib_hours: 12 },
      { username: 'carol', day: '2024-03-07', core_hours: 30, memory_gib_hours: 60 },
    ]);
  });

  it('counts nothing after now, even for a stop time in the future', () => {
    const now = at('2024-03-07T02:00:00Z');
    const rows = [row('carol', 1, GIB, '2024-03-07T01:00:00Z', '2024-03-09T00:00:00Z')];
    assert.deepEqual(usageByDay(rows, SINCE, now), [
      { username: 'carol', day: '2024-03-07', core_hours: 1, memory_gib_hours: 1 },
    ]);
  });

  it('clips intervals to the window start, even when it is not midnight', () => {
    const since = at('2024-03-01T18:00:00Z');
    const rows = [
      row('alice', 2, 2 * GIB, '2024-02-28T00:00:00Z', '2024-03-02T03:00:00Z'),
      row('bob', 1, GIB, '2024-02-20T00:00:00Z', '2024-03-01T17:59:00Z'), // wholly before
    ];
    assert.deepEqual(usageByDay(rows, since, NOW), [
      { username: 'alice', day: '2024-03-01', core_hours: 12, memory_gib_hours: 12 },
      { username: 'alice', day: '2024-03-02', core_hours: 6, memory_gib_hours: 6 },
    ]);
  });

  it('ignores empty and inverted intervals', () => {
    const rows = [
      row('alice', 2, GIB, '2024-03-02T10:00:00Z', '2024-03-02T10:00:00Z'),
      row('alice', 2, GIB, '2024-03-02T10:00:00Z', '2024-03-02T09:00:00Z'),
      row('alice', 2, GIB, '2024-03-09T10:00:00Z', null), // starts after now
    ];
    assert.deepEqual(usageByDay(rows, SINCE, NOW), []);
  });

  it('sums the intervals of a user per day and sorts by day, then user', () => {
    const rows = [
      row('bob', 1, GIB, '2024-03-03T00:00:00Z', '2024-03-03T02:00:00Z'),
      row('alice', 2, 8 * GIB, '2024-03-03T05:00:00Z', '2024-03-03T06:00:00Z'), // worker
      row('alice', 1, 2 * GIB, '2024-03-03T04:00:00Z', '2024-03-03T07:00:00Z'), // scheduler
      row('carol', 1, GIB, '2024-03-02T23:00:00Z', '2024-03-03T00:00:00Z'),
      row('alice', 2, 8 * GIB, '2024-03-04T00:00:00Z', '2024-03-04T00:30:00Z'),
    ];
    assert.deepEqual(usageByDay(rows, SINCE, NOW), [
      { username: 'carol', day: '2024-03-02', core_hours: 1, memory_gib_hours: 1 },
      { username: 'alice', day: '2024-03-03', core_hours: 5, memory_gib_hours: 14 },
      { username: 'bob', day: '2024-03-03', core_hours: 2, memory_gib_hours: 2 },
      { username: 'alice', day: '2024-03-04', core_hours: 1, memory_gib_hours: 4 },
    ]);
  });

  it('covers exactly the window: the hours of a 7-day report of one busy core add up to 168', () => {
    const rows = [row('alice', 1, GIB, '2024-01-01T00:00:00Z', null)];
    const now = at('2024-03-08T09:15:00Z');
    const days = usageByDay(rows, now - 7 * DAY, now);
    assert.equal(days.length, 8); // a partial day at either end
    assert.deepEqual(days[0], {
      username: 'alice',
      day: '2024-03-01',
      core_hours: 14.75,
      memory_gib_hours: 14.75,
    });
    assert.equal(days.at(-1)?.core_hours, 9.25);
    const total = days.reduce((n, d) => n + d.core_hours, 0);
    assert.ok(Math.abs(total - 168) < 1e-9, String(total));
  });
});
