/**
 * Tests for the fault-point plumbing: only the armed point fires, once; the config accepts
 * registered points only; and docs/faults.md lists exactly the registered points.
 * @module
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../config/load.js';
import {
  FAULT_POINTS,
  FAULT_POINT_NAMES,
  createFaultPoints,
  noFaultPoints,
  type FaultPoint,
} from './fault-points.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

describe('createFaultPoints', () => {
  it('fires the armed point once, and no other', () => {
    const fired: FaultPoint[] = [];
    const faults = createFaultPoints('worker.spawned', (p) => fired.push(p));
    for (const p of FAULT_POINT_NAMES) faults.reach(p);
    faults.reach('worker.spawned');
    assert.deepEqual(fired, ['worker.spawned']);
  });

  it('does nothing when disarmed', () => {
    const fired: FaultPoint[] = [];
    const faults = createFaultPoints(null, (p) => fired.push(p));
    for (const p of FAULT_POINT_NAMES) faults.reach(p);
    assert.deepEqual(fired, []);
    assert.equal(faults, noFaultPoints);
  });
});

describe('the registered points', () => {
  it('are at least 20, uniquely named group.point', () => {
    assert.ok(FAULT_POINT_NAMES.length >= 20, `only ${String(FAULT_POINT_NAMES.length)}`);
    assert.equal(new Set(FAULT_POINT_NAMES).size, FAULT_POINT_NAMES.length);
    for (const p of FAULT_POINT_NAMES) assert.match(p, /^[a-z]+\.[a-z_]+$/);
  });

  it('are the rows of the table in docs/faults.md, in order, with the same descriptions', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'faults.md'), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z_.]+)` +\| (.+?) +\|$/gm)].map((m) => [m[1], m[2]]);
    assert.deepEqual(rows, Object.entries(FAULT_POINTS));
  });
});

describe('testing.crash_at', () => {
  const load = (values: unknown) => loadConfig({ values, env: {}, defaultPythonEnv: '/x' });

  it('is null by default and accepts every registered point', () => {
    assert.equal(load({}).testing.crash_at, null);
    for (const p of FAULT_POINT_NAMES)
      assert.equal(load({ testing: { crash_at: p } }).testing.crash_at, p);
  });

  it('rejects an unknown point, naming the key', () => {
    assert.throws(
      () => load({ testing: { crash_at: 'create.nowhere' } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.some(
          (p) => p.startsWith('testing.crash_at: must be one of') && p.includes('"worker.spawned"')
        )
    );
  });
});
