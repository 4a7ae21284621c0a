/**
 * Tests for what a cluster uid still holds on the host: a live process under a range uid is
 * found (a real `sleep` started as that uid; needs root), and only that uid's leftovers in a
 * shared directory are removed.
 * @module
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { removeFilesOwnedBy, uidsRunningProcesses } from './uid-occupancy.js';

const RANGE = { first: 910000, count: 100 };
const root = process.getuid?.() === 0;
const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-uids-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe(
  'uidsRunningProcesses',
  { skip: !root && 'needs root to start a process as another uid' },
  () => {
    it('finds a range uid that runs a process, and no other', async () => {
      assert.equal(uidsRunningProcesses(RANGE).has(RANGE.first + 7), false);
      const child = spawn('sleep', ['60'], {
        uid: RANGE.first + 7,
        gid: RANGE.first + 7,
        stdio: 'ignore',
      });
      await new Promise((resolve) => child.once('spawn', resolve));
      try {
        const found = uidsRunningProcesses(RANGE);
        assert.ok(found.has(RANGE.first + 7), [...found].join(','));
        assert.equal(found.has(RANGE.first + 8), false);
        assert.equal(uidsRunningProcesses({ first: RANGE.first + 8, count: 5 }).size, 0);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
);

describe('removeFilesOwnedBy', { skip: !root && 'needs root to chown' }, () => {
  it('removes what the uid owns directly under the directories, nothing else', () => {
    const mine = path.join(dir, 'left-behind');
    const theirs = path.join(dir, 'someone-elses');
    const nested = path.join(dir, 'dir-of-mine');
    writeFileSync(mine, 'x');
    writeFileSync(theirs, 'y');
    mkdirSync(nested);
    writeFileSync(path.join(nested, 'inner'), 'z');
    chownSync(mine, RANGE.first + 1, RANGE.first + 1);
    chownSync(nested, RANGE.first + 1, RANGE.first + 1);
    chownSync(theirs, RANGE.first + 2, RANGE.first + 2);
    const removed = removeFilesOwnedBy(RANGE.first + 1, [dir, path.join(dir, 'missing')]);
    assert.deepEqual(removed.sort(), [nested, mine].sort());
    assert.equal(existsSync(mine) || existsSync(nested), false);
    assert.ok(existsSync(theirs));
  });
});
