/**
 * Every query on `leader_lease`, one builder each, compiled in both dialects. Times come from the
 * database's clock (`databaseNow`), never a replica's, unless a test injects one: so replicas
 * whose clocks disagree still agree on when a lease lapses. Every write is compare-and-set.
 * @module
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isSqlite } from './dialect.js';
import type { Database } from './tables.js';

/** The key of the lease row (one leader per database). */
export const LEASE_NAME = 'leader';

/**
 * The time to compare and store: the database's clock in ms since the Unix epoch, or `injected`
 * (tests). PostgreSQL's `clock_timestamp()` is the statement's real time, not its transaction's.
 */
export function databaseNow(db: Kysely<Database>, injected?: number): RawBuilder<number> {
  if (injected !== undefined) return sql<number>`cast(${injected} as bigint)`;
  if (isSqlite(db)) {
    return sql<number>`cast((julianday('now') - 2440587.5) * 86400000.0 as integer)`;
  }
  return sql<number>`cast(extract(epoch from clock_timestamp()) * 1000 as bigint)`;
}

/** `now` plus `ms` milliseconds. */
const plus = (now: RawBuilder<number>, ms: number) => sql<number>`${now} + cast(${ms} as bigint)`;

/** Creates the lease for `holder` at epoch 1 when there is none yet (returns it if so). */
export const insertLeaseIfAbsent = (
  db: Kysely<Database>,
  holder: string,
  ttlMs: number,
  now: RawBuilder<number>
) =>
  db
    .insertInto('leader_lease')
    .values({
      name: LEASE_NAME,
      holder,
      epoch: 1,
      expires_at: plus(now, ttlMs),
      renewed_at: now,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning(['holder', 'epoch', 'expires_at']);

/** Takes over a lapsed lease for `holder`, one epoch on (returns it if so). */
export const takeOverLapsedLease = (
  db: Kysely<Database>,
  holder: string,
  ttlMs: number,
  now: RawBuilder<number>
) =>
  db
    .updateTable('leader_lease')
    .set((eb) => ({
      holder,
      epoch: eb('epoch', '+', 1),
      expires_at: plus(now, ttlMs),
      renewed_at: now,
    }))
    .where('name', '=', LEASE_NAME)
    .where('expires_at', '<=', now)
    .returning(['holder', 'epoch', 'expires_at']);

/** Extends the lease `holder` holds at `epoch`, if it has not lapsed (returns it if so). */
export const renewLease = (
  db: Kysely<Database>,
  holder: string,
  epoch: number,
  ttlMs: number,
  now: RawBuilder<number>
) =>
  db
    .updateTable('leader_lease')
    .set({ expires_at: plus(now, ttlMs), renewed_at: now })
    .where('name', '=', LEASE_NAME)
    .where('holder', '=', holder)
    .where('epoch', '=', epoch)
    .where('expires_at', '>', now)
    .returning(['holder', 'epoch', 'expires_at']);

/** Lets the lease lapse at once, if `holder` still holds it at `epoch`. */
export const releaseLease = (db: Kysely<Database>, holder: string, epoch: number) =>
  db
    .updateTable('leader_lease')
    .set({ expires_at: 0 })
    .where('name', '=', LEASE_NAME)
    .where('holder', '=', holder)
    .where('epoch', '=', epoch);

/** The lease row, if any. */
export const selectLease = (db: Kysely<Database>) =>
  db
    .selectFrom('leader_lease')
    .select(['holder', 'epoch', 'expires_at'])
    .where('name', '=', LEASE_NAME);
