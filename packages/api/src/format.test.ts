/**
 * Table-driven tests of the shared formatter: plurals, binary units with three significant
 * digits, durations, relative times and core-hours, as the web UI and the CLI print them.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatBytes,
  formatCoreHours,
  formatCores,
  formatCount,
  formatDuration,
  formatRelative,
} from './format.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Checks every `[input, expected]` pair of `table` through `f`. */
function table<T>(f: (x: T) => string, rows: readonly (readonly [T, string])[]): void {
  for (const [x, want] of rows) assert.equal(f(x), want, `input ${String(x)}`);
}

describe('format', () => {
  it('counts cores and nouns with plurals', () => {
    table(formatCores, [
      [0, '0 cores'],
      [1, '1 core'],
      [2, '2 cores'],
      [1.5, '1.5 cores'],
      [0.25, '0.25 cores'],
    ]);
    assert.equal(formatCount(1, 'worker'), '1 worker');
    assert.equal(formatCount(0, 'worker'), '0 workers');
    assert.equal(formatCount(34, 'worker'), '34 workers');
    assert.equal(formatCount(2, 'process', 'processes'), '2 processes');
  });

  it('prints bytes in binary units, three significant digits, "0 B" only for 0', () => {
    table(formatBytes, [
      [0, '0 B'],
      [1, '1 B'],
      [1023, '1023 B'],
      [1024, '1 KiB'],
      [512 * MiB, '512 MiB'],
      [18 * GiB, '18 GiB'],
      [34 * GiB, '34 GiB'],
      [1.5 * GiB, '1.5 GiB'],
      [1.2345 * GiB, '1.23 GiB'],
      [1023.99 * MiB, '1 GiB'],
      [2 * 1024 * GiB, '2 TiB'],
    ]);
  });

  it('prints durations in their two largest units', () => {
    table(formatDuration, [
      [0, '0 s'],
      [4.25, '4.3 s'],
      [45, '45 s'],
      [60, '1 min'],
      [200, '3 min 20 s'],
      [7500, '2 h 5 min'],
      [86400 * 3 + 3600 * 4, '3 d 4 h'],
    ]);
  });

  it('prints moments relative to now, past and future', () => {
    const now = 1_000_000_000;
    assert.equal(formatRelative(now - 4000, now), '4 s ago');
    assert.equal(formatRelative(now + 3 * 60_000, now), 'in 3 min');
    assert.equal(formatRelative(now - 2 * 3_600_000, now), '2 h ago');
    assert.equal(formatRelative(now - 200, now), 'just now');
  });

  it('prints core-hours', () => {
    table(formatCoreHours, [
      [0, '0 core-hours'],
      [1, '1 core-hour'],
      [2.345, '2.35 core-hours'],
      [0.001, '< 0.01 core-hours'],
      [1234.4, '1234 core-hours'],
    ]);
  });
});
