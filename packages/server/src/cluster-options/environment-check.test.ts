/**
 * Tests for the import check of one Python environment, run as an unprivileged uid the way
 * isolated clusters run: an environment linked from a directory others cannot search (a clone
 * under a 0700 directory whose `.venv` links into a world-readable cache) is checked by its
 * real path.
 * @module
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { UNPRIVILEGED } from '../backends/local/environment-access.js';
import { checkEnvironment } from './environment-check.js';

const FAKE_PYTHON = `#!/bin/sh\necho '{"python": "3.11.2", "distributed": "1", "dask_gateway": "2"}'\n`;

/** A fake environment at `prefix` whose python prints the check's answer. */
function makeEnv(prefix: string): void {
  mkdirSync(path.join(prefix, 'bin'), { recursive: true, mode: 0o755 });
  writeFileSync(path.join(prefix, 'bin', 'python'), FAKE_PYTHON, { mode: 0o755 });
}

const asRoot = process.getuid?.() === 0;

describe('checkEnvironment as an unprivileged uid', { skip: !asRoot && 'needs root' }, () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'gh-envcheck-'));
  chmodSync(tmp, 0o755);
  const cache = path.join(tmp, 'cache', 'venv-1');
  makeEnv(cache);
  const clone = path.join(tmp, 'clone');
  mkdirSync(clone, { mode: 0o700 });
  chmodSync(clone, 0o700);
  symlinkSync(cache, path.join(clone, '.venv'));
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('passes for the world-readable environment itself (control)', async () => {
    const r = await checkEnvironment(cache, UNPRIVILEGED);
    assert.equal(r.detail, '');
    assert.equal(r.ok, true);
  });
  it('reaches a linked environment by its real path, past a 0700 link directory', async () => {
    const r = await checkEnvironment(path.join(clone, '.venv'), UNPRIVILEGED);
    assert.equal(r.detail, '');
    assert.deepEqual(r.versions, { python: '3.11.2', distributed: '1', dask_gateway: '2' });
    assert.equal(r.ok, true);
  });
  it('still refuses an environment that itself lies under the 0700 directory', async () => {
    makeEnv(path.join(clone, 'inside'));
    const r = await checkEnvironment(path.join(clone, 'inside'), UNPRIVILEGED);
    assert.equal(r.ok, false);
    assert.match(r.detail, /cluster uids cannot run this environment/);
  });
});
