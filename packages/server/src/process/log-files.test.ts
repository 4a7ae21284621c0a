/**
 * Unit tests of log rotation and reading across rotated copies (real files in a temp dir).
 * @module
 */
import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  openSync,
  closeSync,
  writeSync,
  rmSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { logFiles, readLogFull, readLogTail, rotateIfLarger } from './log-files.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-logs-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${String(from + i)}\n`).join('');

describe('log files', () => {
  it('leaves a log under its cap alone', () => {
    const f = path.join(dir, 'small.log');
    appendFileSync(f, lines(1, 3));
    assert.equal(rotateIfLarger(f, { maxBytes: 1024, keep: 2 }), false);
    assert.deepEqual(logFiles(f, 2), [f]);
  });

  it('rotates past the cap, keeps `keep` copies, and reads them as one log', async () => {
    const f = path.join(dir, 'big.log');
    // The writer keeps its append-mode descriptor across rotations, as a scheduler does.
    const fd = openSync(f, 'a');
    const limits = { maxBytes: 50, keep: 2 };
    for (let round = 0; round < 4; round++) {
      writeSync(fd, lines(round * 10 + 1, round * 10 + 10));
      assert.equal(rotateIfLarger(f, limits), true);
    }
    writeSync(fd, lines(41, 42));
    closeSync(fd);
    assert.deepEqual(logFiles(f, 2), [`${f}.2`, `${f}.1`, f]);
    assert.ok(!existsSync(`${f}.3`), 'older copies are dropped');
    assert.equal(
      await readLogFull(f, 2),
      lines(21, 42),
      'appends continue at the start of the live file'
    );
    assert.equal(readLogTail(f, 2, 3), 'line 40\nline 41\nline 42');
    assert.equal(readLogTail(f, 2, 12), lines(31, 42).trimEnd());
  });

  it('with keep 0 only truncates', async () => {
    const f = path.join(dir, 'nokeep.log');
    appendFileSync(f, lines(1, 20));
    assert.equal(rotateIfLarger(f, { maxBytes: 10, keep: 0 }), true);
    assert.deepEqual(logFiles(f, 0), [f]);
    assert.equal(await readLogFull(f, 0), '');
  });

  it('reads nothing from a log that does not exist', async () => {
    const f = path.join(dir, 'missing.log');
    assert.equal(readLogTail(f, 3, 10), '');
    assert.equal(await readLogFull(f, 3), '');
    assert.equal(rotateIfLarger(f, { maxBytes: 1, keep: 1 }), false);
  });
});
