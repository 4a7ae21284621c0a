/**
 * The leader lease: one row in the database naming which gateway replica leads, since which
 * takeover (its epoch) and until when. Acquire, renew and release are compare-and-set statements
 * timed by the database's clock, so two contenders cannot both win, a holder renews only what it
 * still holds, and a lapsed lease is taken over one epoch on.
 * @module
 */
import type { Kysely } from 'kysely';
import { int64 } from './int64.js';
import * as q from './lease-queries.js';
import type { Database } from './tables.js';

/** The lease as stored. */
export interface LeaseState {
  /** The replica id of the holder. */
  readonly holder: string;
  readonly epoch: number;
  /** When it lapses unless renewed (ms, the database's clock). */
  readonly expiresAt: number;
}

/** The outcome of `acquire`: the lease now held by the caller, or by whom it is held. */
export type AcquireResult =
  | { readonly held: true; readonly lease: LeaseState }
  | { readonly held: false; readonly lease: LeaseState | null };

/** Reads and writes the leader lease. */
export interface LeaderLease {
  /**
   * Takes the lease for `holder` if nobody holds it or it lapsed (a takeover increments the
   * epoch; a first lease has epoch 1). A lease still running is left alone, even `holder`'s own.
   */
  acquire(holder: string, ttlMs: number): Promise<AcquireResult>;
  /** Extends the lease if `holder` still holds it at `epoch` and it has not lapsed; else null. */
  renew(holder: string, epoch: number, ttlMs: number): Promise<LeaseState | null>;
  /** Lets the lease lapse now if `holder` holds it at `epoch` (a clean shutdown hands over fast). */
  release(holder: string, epoch: number): Promise<void>;
  /** The lease as stored, or null before anyone took it. */
  read(): Promise<LeaseState | null>;
}

/** Options of the lease store. */
export interface LeaderLeaseOptions {
  /** A clock replacing the database's (tests); ms since the Unix epoch. */
  readonly now?: () => number;
}

type LeaseRow = { holder: string; epoch: number | string; expires_at: number | string };

function toState(row: LeaseRow): LeaseState {
  return { holder: row.holder, epoch: int64(row.epoch), expiresAt: int64(row.expires_at) };
}

/** The lease store over a migrated database. */
export function createLeaderLease(
  db: Kysely<Database>,
  opts: LeaderLeaseOptions = {}
): LeaderLease {
  const now = () => q.databaseNow(db, opts.now?.());
  const read = async () => {
    const row = await q.selectLease(db).executeTakeFirst();
    return row === undefined ? null : toState(row);
  };
  return {
    async acquire(holder, ttlMs) {
      const t = now();
      const made = await q.insertLeaseIfAbsent(db, holder, ttlMs, t).executeTakeFirst();
      if (made !== undefined) return { held: true, lease: toState(made) };
      const taken = await q.takeOverLapsedLease(db, holder, ttlMs, t).executeTakeFirst();
      if (taken !== undefined) return { held: true, lease: toState(taken) };
      return { held: false, lease: await read() };
    },
    async renew(holder, epoch, ttlMs) {
      const row = await q.renewLease(db, holder, epoch, ttlMs, now()).executeTakeFirst();
      return row === undefined ? null : toState(row);
    },
    async release(holder, epoch) {
      await q.releaseLease(db, holder, epoch).execute();
    },
    read,
  };
}
