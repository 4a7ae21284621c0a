/**
 * Tests for the check that isolated cluster uids can run a Python environment: a parent that
 * others cannot search, or an interpreter behind one (pyenv under a 0700 home), is refused.
 * @module
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { environmentExecutables, environmentUnusableByOthers } from './environment-access.js';

describe('environmentUnusableByOthers', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'gh-envaccess-'));
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });
  /** A fake environment at `prefix` whose bin/python is `interpreter` (a link) or a file. */
  const makeEnv = (prefix: string, interpreter?: string) => {
    mkdirSync(path.join(prefix, 'bin'), { recursive: true, mode: 0o755 });
    const py = path.join(prefix, 'bin', 'python');
    if (interpreter === undefined) writeFileSync(py, '#!/bin/sh\n', { mode: 0o755 });
    else symlinkSync(interpreter, py);
  };

  it('accepts an environment every parent of which others may search', () => {
    chmodSync(tmp, 0o755);
    makeEnv(path.join(tmp, 'open'));
    assert.equal(environmentUnusableByOthers(path.join(tmp, 'open')), null);
  });
  it('refuses one under a 0700 directory, naming it', () => {
    const closed = path.join(tmp, 'closed');
    mkdirSync(closed, { mode: 0o700 });
    makeEnv(path.join(closed, 'env'));
    const why = environmentUnusableByOthers(path.join(closed, 'env'));
    assert.match(why ?? '', new RegExp(`${closed} \\(mode 700\\) is not accessible`));
  });
  it('refuses one whose interpreter lies behind a 0700 directory', () => {
    const home = path.join(tmp, 'home');
    mkdirSync(path.join(home, 'bin'), { recursive: true, mode: 0o700 });
    chmodSync(home, 0o700);
    writeFileSync(path.join(home, 'bin', 'python3'), '#!/bin/sh\n', { mode: 0o755 });
    makeEnv(path.join(tmp, 'linked'), path.join(home, 'bin', 'python3'));
    assert.match(environmentUnusableByOthers(path.join(tmp, 'linked')) ?? '', /home/);
  });
  it('leaves a missing environment to the caller', () => {
    assert.equal(environmentUnusableByOthers(path.join(tmp, 'nope')), null);
  });
});

describe('environmentExecutables', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'gh-envbin-'));
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });
  it('reaches a linked environment by its real path, past a 0700 link directory', () => {
    chmodSync(tmp, 0o755);
    const cache = path.join(tmp, 'cache', 'venv-1');
    mkdirSync(path.join(cache, 'bin'), { recursive: true });
    const clone = path.join(tmp, 'clone');
    mkdirSync(clone, { mode: 0o700 });
    symlinkSync(cache, path.join(clone, '.venv'));
    assert.equal(environmentExecutables(path.join(clone, '.venv')), path.join(cache, 'bin'));
  });
  it('keeps the given path of a missing environment', () => {
    assert.equal(environmentExecutables(path.join(tmp, 'nope')), path.join(tmp, 'nope', 'bin'));
  });
});
