/**
 * Tests for per-cluster identities: the isolation setting, uid/gid and loopback address of a
 * slot, lowest-free-slot allocation, the passwd/group range check, and the start-up plan.
 * @module
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  identityForSlot,
  idsInRange,
  IsolationError,
  lowestFreeSlot,
  resolveIsolation,
} from './isolation.js';
import { planIsolation } from './isolation-plan.js';
import type { ResolvedLocalBackend } from './local-config.js';

const RANGE = { first: 900000, count: 50000 };

describe('resolveIsolation', () => {
  it('auto isolates as root only; none never; uid without root refuses', () => {
    assert.equal(resolveIsolation('auto', true), 'uid');
    assert.equal(resolveIsolation('auto', false), 'none');
    assert.equal(resolveIsolation('none', true), 'none');
    assert.equal(resolveIsolation('uid', true), 'uid');
    assert.throws(() => resolveIsolation('uid', false), IsolationError);
    assert.throws(() => resolveIsolation('uid', false), /does not run as root/);
  });
});

describe('identityForSlot', () => {
  it('derives uid, gid and a distinct loopback address from the uid', () => {
    // 900000 = 0x0dbba0: the address is 127 and the uid's low 24 bits.
    assert.deepEqual(identityForSlot(RANGE, 0), {
      slot: 0,
      uid: 900000,
      gid: 900000,
      address: '127.13.187.160',
    });
    assert.equal(identityForSlot(RANGE, 96).address, '127.13.188.0');
    // Two gateways with different ranges never give one address to two uids (slot 0 of each).
    assert.notEqual(identityForSlot({ first: 972000, count: 50 }, 0).address, '127.13.187.160');
    assert.equal(identityForSlot({ first: 1000, count: 5 }, 0).address, '127.0.3.232');
    assert.equal(identityForSlot(RANGE, 49999).uid, 949999);
    const addresses = new Set(
      Array.from({ length: 2000 }, (_, s) => identityForSlot(RANGE, s).address)
    );
    assert.equal(addresses.size, 2000);
  });
  it('refuses slots outside the range', () => {
    assert.throws(() => identityForSlot(RANGE, 50000), RangeError);
    assert.throws(() => identityForSlot(RANGE, -1), RangeError);
  });
});

describe('lowestFreeSlot', () => {
  it('takes the lowest slot no active cluster holds, null when full', () => {
    assert.equal(lowestFreeSlot(RANGE, new Set()), 0);
    assert.equal(lowestFreeSlot(RANGE, new Set([0, 1, 3])), 2);
    assert.equal(lowestFreeSlot({ first: 5000, count: 2 }, new Set([0, 1])), null);
  });
});

describe('idsInRange', () => {
  it('lists accounts and groups whose id is in the range', () => {
    const passwd = 'root:x:0:0::/root:/bin/sh\nodd:x:900010:900010::/:/bin/sh\n\nbad line\n';
    assert.deepEqual(idsInRange(passwd, RANGE), [{ name: 'odd', id: 900010 }]);
    assert.deepEqual(idsInRange('nogroup:x:65534:\n', RANGE), []);
  });
});

describe('planIsolation', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'gh-iso-'));
  after(() => {
    rmSync(tmp, { recursive: true, force: true });
  });
  const cfg = (dir: string) =>
    ({
      isolation: 'auto',
      isolation_uids: RANGE,
      clustersDirectory: path.join(tmp, 'plain'),
      isolatedClustersDirectory: dir,
    }) as unknown as ResolvedLocalBackend;

  it('runs unisolated without root, in the configured directory', () => {
    const plan = planIsolation(cfg(path.join(tmp, 'iso')), { isRoot: false, readText: () => '' });
    assert.equal(plan.mode, 'none');
    assert.equal(plan.isolation, undefined);
    assert.equal(plan.clustersDirectory, path.join(tmp, 'plain'));
  });
  it('refuses a range that overlaps an account', () => {
    const readText = (f: string) => (f === '/etc/group' ? 'g:x:900001:\n' : '');
    assert.throws(
      () => planIsolation(cfg(path.join(tmp, 'iso')), { isRoot: true, readText }),
      /\/etc\/group: g \(900001\)/
    );
  });
  it('refuses a clusters directory behind a parent other uids cannot search', () => {
    // mkdtemp makes 0700 directories: cluster uids could not reach anything below.
    assert.throws(
      () => planIsolation(cfg(path.join(tmp, 'iso')), { isRoot: true, readText: () => '' }),
      /is not searchable by other users/
    );
  });
  it('isolates as root and makes the clusters directory 0711', () => {
    const dir = path.join('/tmp', `gh-iso-plan-${String(process.pid)}`, 'clusters');
    try {
      const plan = planIsolation(cfg(dir), { isRoot: true, readText: () => '' });
      assert.equal(plan.mode, 'uid');
      assert.deepEqual(plan.isolation?.uids, RANGE);
      assert.equal(statSync(dir).mode & 0o777, 0o711);
      assert.equal(statSync(path.dirname(dir)).mode & 0o777, 0o711);
    } finally {
      rmSync(path.dirname(dir), { recursive: true, force: true });
    }
  });
  it('refuses a config file other users can read (it may hold password hashes)', () => {
    const top = path.join('/tmp', `gh-iso-cfg-${String(process.pid)}`);
    const dir = path.join(top, 'clusters');
    const file = path.join(top, 'conf', 'gatehouse.yaml');
    try {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
      chmodSync(top, 0o755);
      writeFileSync(file, 'auth: {}\n', { mode: 0o644 });
      chmodSync(file, 0o644);
      const facts = { isRoot: true, readText: () => '', configFile: file };
      assert.throws(
        () => planIsolation(cfg(dir), facts),
        /gatehouse\.yaml.*readable by other users/
      );
      // Positive controls: a 0600 file, and a 0644 file behind a directory others cannot search.
      chmodSync(file, 0o600);
      assert.equal(planIsolation(cfg(dir), facts).mode, 'uid');
      chmodSync(file, 0o644);
      chmodSync(path.dirname(file), 0o700);
      assert.equal(planIsolation(cfg(dir), facts).mode, 'uid');
    } finally {
      rmSync(top, { recursive: true, force: true });
    }
  });
});
