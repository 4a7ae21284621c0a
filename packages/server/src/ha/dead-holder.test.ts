/**
 * A replica restarted after a crash (SIGKILL) on the same host finds the lease still held by its
 * dead predecessor for up to a whole lease period, answering 503 meanwhile. A holder that is
 * provably gone (this host and pid namespace, its pid no longer alive) is taken over at once,
 * one epoch on; a live holder on this host and a holder elsewhere are left to lapse.
 * @module
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { openDatabase } from '../store/db.js';
import { createLeaderLease } from '../store/leader-lease.js';
import type { Database } from '../store/tables.js';
import { createLeaderElector } from './leader-elector.js';
import { electedLeadership } from './leadership.js';
import { newReplicaId } from './replica-id.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-dead-holder-'));
const dbs: Kysely<Database>[] = [];
let n = 0;
after(async () => {
  for (const db of dbs) await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

// Long enough that no test can see a lease lapse: only the takeover of a dead holder is quick.
const LEASE_MS = 60_000;

/** The pid of a process that ran and exited (and was reaped): not alive. */
function deadPid(): number {
  const r = spawnSync('/bin/sh', ['-c', 'echo $$']);
  return Number(String(r.stdout).trim());
}

/** Whether a new replica on a database whose lease `holder` took leads after its first attempt. */
async function leadsAtOnce(holder: string): Promise<{ leading: boolean; epoch: number | null }> {
  const db = await openDatabase(path.join(dir, `l${String(++n)}.db`));
  dbs.push(db);
  const lease = createLeaderLease(db);
  assert.equal((await lease.acquire(holder, LEASE_MS)).held, true);
  const leadership = electedLeadership(newReplicaId());
  const elector = createLeaderElector({
    lease,
    leadership,
    leaseMs: LEASE_MS,
    log: pino({ level: 'silent' }),
    onElected: () => Promise.resolve(),
    onDeposed: () => undefined,
  });
  await elector.start();
  const leading = leadership.leading();
  const epoch = (await lease.read())?.epoch ?? null;
  await elector.stop();
  return { leading, epoch };
}

describe('a lease whose holder is gone', () => {
  it('is taken over at once, one epoch on, when the holder ran on this host and its pid is dead', async () => {
    const r = await leadsAtOnce(newReplicaId(deadPid()));
    assert.deepEqual(r, { leading: true, epoch: 2 });
  });

  it('is left alone while its holder on this host is alive', async () => {
    const r = await leadsAtOnce(newReplicaId(process.pid));
    assert.deepEqual(r, { leading: false, epoch: 1 });
  });

  it('is left alone when its holder ran on another host (its pid means nothing here)', async () => {
    const r = await leadsAtOnce(`elsewhere:${String(deadPid())}:abcdef:0-0`);
    assert.deepEqual(r, { leading: false, epoch: 1 });
  });
});
