/**
 * Tests for the job table: queued and running phases from squeue listings, outcomes recorded
 * once when a job ends or leaves the listing, and adoption of jobs after a restart.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createJobTable } from './job-table.js';
import { parseSqueue } from './slurm-cli.js';

function clock(start = 1000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const owner = { clusterName: 'c', workerName: 'w' };

describe('job table', () => {
  it('a pending job is queued with its reason since submission; running since first seen', () => {
    const c = clock();
    const table = createJobTable(c.now);
    table.watch('7', owner);
    assert.deepEqual(table.phase('7'), { phase: 'queued', reason: 'None', since: 1000 });
    c.advance(500);
    assert.deepEqual(table.update(parseSqueue('7|PENDING|Resources|'), c.now()), []);
    assert.deepEqual(table.phase('7'), { phase: 'queued', reason: 'Resources', since: 1000 });
    c.advance(500);
    table.update(parseSqueue('7|RUNNING|None|n1'), c.now());
    assert.deepEqual(table.phase('7'), { phase: 'running', since: 2000 });
    assert.equal(table.isAlive('7', owner), true);
  });

  it('reports a job that ended once, with state and reason', () => {
    const c = clock();
    const table = createJobTable(c.now);
    table.watch('8', owner);
    c.advance(10);
    const ended = table.update(parseSqueue('8|FAILED|NonZeroExitCode|n1'), c.now());
    assert.deepEqual(ended, [{ id: '8', ...owner, how: 'FAILED (NonZeroExitCode)' }]);
    assert.deepEqual(table.update(parseSqueue('8|FAILED|NonZeroExitCode|n1'), c.now()), []);
    assert.equal(table.isAlive('8', owner), false);
  });

  it('a job missing from a listing taken after its submission has ended', () => {
    const c = clock();
    const table = createJobTable(c.now);
    table.watch('9', owner);
    // A listing that started before the submission may not show it yet.
    assert.deepEqual(table.update(new Map(), 999), []);
    c.advance(1);
    const [ended] = table.update(new Map(), c.now());
    assert.equal(ended?.how, 'no longer listed by squeue');
  });

  it('forgotten jobs (cancelled by the gateway) are not reported', () => {
    const c = clock();
    const table = createJobTable(c.now);
    table.watch('10', owner);
    table.forget('10');
    c.advance(1);
    assert.deepEqual(table.update(parseSqueue('10|CANCELLED|None|n1'), c.now()), []);
  });

  it('adopts a job recorded before a restart that squeue still lists active', () => {
    const c = clock();
    const table = createJobTable(c.now);
    table.update(parseSqueue('11|RUNNING|None|n3\n12|COMPLETED|None|n3'), c.now());
    assert.equal(table.isAlive('11', owner), true);
    assert.equal(table.isAlive('12', owner), false);
    assert.equal(table.isAlive('13', owner), false);
    c.advance(5);
    const [ended] = table.update(parseSqueue('11|CANCELLED|None|n3'), c.now());
    assert.equal(ended?.id, '11');
  });
});
