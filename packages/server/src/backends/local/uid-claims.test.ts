/**
 * Tests for host-wide uid claims: two gateways on one host (two `ClusterIdentities` sharing a
 * claims directory, as concurrent test gateways or two checkouts do) never hand the same cluster
 * uid to two clusters, even before either cluster runs a process; a released or dead holder's
 * claim is taken over; adoption takes back what the store recorded.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ClusterRecord } from '../../clusters/model.js';
import { ClusterIdentities } from './cluster-identities.js';
import { UidClaims } from './uid-claims.js';

// Far above any real account, and from other tests' ranges: no process runs these uids.
const RANGE = { first: 5_000_000, count: 4 };
const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-claims-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
const log = pino({ level: 'silent' });

function record(name: string): ClusterRecord {
  return { name, state: {} } as unknown as ClusterRecord;
}

function gateway(claimsDir: string): ClusterIdentities {
  return new ClusterIdentities({ uids: RANGE, claims: new UidClaims(claimsDir) }, log);
}

describe('uid claims across gateways on one host', () => {
  it('gives two gateways different uids for clusters that run nothing yet', () => {
    const claimsDir = mkdtempSync(path.join(dir, 'a-'));
    const one = gateway(claimsDir);
    const two = gateway(claimsDir);
    const a = one.allocate(record('a'));
    const b = two.allocate(record('b'));
    assert.notEqual(a?.uid, b?.uid, 'both gateways handed out the same uid');
  });

  it('frees a uid for the other gateway once its holder stopped the cluster', () => {
    const claimsDir = mkdtempSync(path.join(dir, 'b-'));
    const one = gateway(claimsDir);
    const two = gateway(claimsDir);
    const a = one.allocate(record('a'));
    assert.equal(a?.uid, RANGE.first);
    one.release(record('a'));
    one.releaseClaim(RANGE.first);
    assert.equal(two.allocate(record('b'))?.uid, RANGE.first);
  });

  it("takes over a dead holder's claim, and refuses when every uid is held", () => {
    const claimsDir = mkdtempSync(path.join(dir, 'c-'));
    // A holder that is gone (no process has that pid: above the kernel's pid_max).
    writeFileSync(path.join(claimsDir, String(RANGE.first)), '2147483646 1 dead-gateway\n');
    const one = gateway(claimsDir);
    assert.equal(one.allocate(record('a'))?.uid, RANGE.first);
    const two = gateway(claimsDir);
    for (const n of ['b', 'c', 'd']) two.allocate(record(n));
    assert.throws(() => two.allocate(record('e')), /all 4 cluster uids are in use/);
  });

  it('takes back the claims of recorded clusters at adoption', async () => {
    const claimsDir = mkdtempSync(path.join(dir, 'd-'));
    const identity = { slot: 2, uid: RANGE.first + 2, gid: RANGE.first + 2, address: '127.0.0.1' };
    const c = { name: 'kept', state: { identity } } as unknown as ClusterRecord;
    const restarted = gateway(claimsDir);
    await restarted.adopt([c]);
    assert.deepEqual(readdirSync(claimsDir), [String(RANGE.first + 2)]);
    const other = gateway(claimsDir);
    const uids = ['x', 'y', 'z'].map((n) => other.allocate(record(n))?.uid);
    assert.equal(uids.includes(RANGE.first + 2), false, uids.join(','));
  });
});
