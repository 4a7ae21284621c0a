/**
 * The election loop on a real SQLite lease (one file, a connection per replica), with the real
 * timers of a short lease: one of two replicas leads and starts its work; the other takes over
 * one epoch on when the leader stops (release) and when it is paused past its lease (its renewal
 * finds the lease gone, so it steps down); a fenced write steps a leader down at once.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { openDatabase } from '../store/db.js';
import { createLeaderLease } from '../store/leader-lease.js';
import type { Database } from '../store/tables.js';
import { FencedWriteError } from '../store/write-fence.js';
import { createLeaderElector, type LeaderElector } from './leader-elector.js';
import { electedLeadership, type ElectedLeadership } from './leadership.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-elector-'));
const quiet = pino({ level: 'silent' });
const dbs: Kysely<Database>[] = [];
let n = 0;
// The elector's timers do not hold the process open (a gateway's server does): this does.
const keepAlive = setInterval(() => undefined, 1000);
after(async () => {
  clearInterval(keepAlive);
  for (const db of dbs) await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const LEASE_MS = 300;

/** A signal: `wait()` resolves once `fire` was called. */
function signal<T>() {
  let fire: (v: T) => void = () => undefined;
  const p = new Promise<T>((resolve) => {
    fire = resolve;
  });
  return { fire, wait: () => p };
}

interface Replica {
  readonly leadership: ElectedLeadership;
  readonly elector: LeaderElector;
  readonly elected: ReturnType<typeof signal<number>>;
  readonly deposed: ReturnType<typeof signal<string>>;
}

/** A replica on the database at `file`, electing with a lease of LEASE_MS. */
async function replica(file: string, id: string): Promise<Replica> {
  const db = await openDatabase(file);
  dbs.push(db);
  const leadership = electedLeadership(id);
  const elected = signal<number>();
  const deposed = signal<string>();
  const elector = createLeaderElector({
    lease: createLeaderLease(db),
    leadership,
    leaseMs: LEASE_MS,
    log: quiet,
    onElected: (epoch) => {
      elected.fire(epoch);
      return Promise.resolve();
    },
    onDeposed: deposed.fire,
  });
  return { leadership, elector, elected, deposed };
}

describe('the leader elector', () => {
  it('one of two leads; the other takes over one epoch on when it stops', async () => {
    const file = path.join(dir, `e${String(++n)}.db`);
    const a = await replica(file, 'A');
    const b = await replica(file, 'B');
    await a.elector.start();
    await b.elector.start();
    assert.equal(a.leadership.leading(), true);
    assert.equal(await a.elected.wait(), 1);
    assert.equal(b.leadership.leading(), false);
    assert.equal(b.leadership.epoch(), 0);
    await a.elector.stop();
    assert.equal(await b.elected.wait(), 2);
    assert.equal(b.leadership.leading(), true);
    await b.elector.stop();
  });

  it('a leader paused past its lease finds it taken and steps down', async () => {
    const file = path.join(dir, `e${String(++n)}.db`);
    const a = await replica(file, 'A');
    await a.elector.start();
    // Another replica takes the lease as if A had not renewed: its clock is a period ahead.
    const db = await openDatabase(file);
    dbs.push(db);
    const taken = await createLeaderLease(db, { now: () => Date.now() + 60_000 }).acquire(
      'B',
      60_000
    );
    assert.ok(taken.held);
    assert.equal(taken.lease.epoch, 2);
    assert.match(await a.deposed.wait(), /taken over or had lapsed/);
    assert.equal(a.leadership.leading(), false);
    await a.elector.stop();
  });

  it('a fenced write steps the leader down at once', async () => {
    const file = path.join(dir, `e${String(++n)}.db`);
    const a = await replica(file, 'A');
    await a.elector.start();
    a.leadership.fence?.onRefused?.(new FencedWriteError('clusters row c1', 1, 2));
    assert.match(await a.deposed.wait(), /fenced write to clusters row c1/);
    assert.equal(a.leadership.leading(), false);
    await a.elector.stop();
  });
});
