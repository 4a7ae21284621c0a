/**
 * Fencing by the leader's epoch: a leader's writes of cluster and worker state check, in the same
 * transaction, that the lease's epoch is still the one it was elected at. On PostgreSQL the check
 * holds a share lock on the lease row until the write commits, so a takeover (which updates that
 * row) waits for writes in flight and every later write of the old leader is refused.
 * @module
 */
import type { Kysely } from 'kysely';
import { isSqlite } from './dialect.js';
import { int64 } from './int64.js';
import { LEASE_NAME } from './lease-queries.js';
import type { Database } from './tables.js';

/** What a fenced writer holds: the epoch it leads at, and who hears of refusals. */
export interface WriteFence {
  /** The epoch the writer was elected at (read at every write). */
  epoch(): number;
  /** Called with every refusal before it is thrown (the wiring logs it and steps down). */
  onRefused?(err: FencedWriteError): void;
}

/** A write refused because the leader lease moved on to a newer epoch (or is gone). */
export class FencedWriteError extends Error {
  /** Machine-readable kind, as other gateway errors carry. */
  readonly code = 'fenced';
  /** The epoch the writer held. */
  readonly held: number;
  /** The lease's epoch now (null: no lease row). */
  readonly current: number | null;
  /** What was being written, e.g. `clusters row c1`. */
  readonly what: string;

  constructor(what: string, held: number, current: number | null) {
    super(
      `fenced write to ${what}: this gateway led at epoch ${held}, the lease is at ` +
        (current === null ? 'no epoch (no lease)' : `epoch ${current}`) +
        '; another replica leads now'
    );
    this.name = 'FencedWriteError';
    this.held = held;
    this.current = current;
    this.what = what;
  }
}

/** Whether `e` is a write refused by the fence. */
export function isFencedWrite(e: unknown): e is FencedWriteError {
  return e instanceof FencedWriteError;
}

/**
 * Throws `FencedWriteError` (after telling `fence.onRefused`) unless the lease is still at the
 * fence's epoch. Run it inside the write's transaction `trx`.
 */
export async function checkFence(
  trx: Kysely<Database>,
  fence: WriteFence,
  what: string
): Promise<void> {
  const select = trx.selectFrom('leader_lease').select('epoch').where('name', '=', LEASE_NAME);
  const row = await (isSqlite(trx) ? select : select.forShare()).executeTakeFirst();
  const current = row === undefined ? null : int64(row.epoch);
  const held = fence.epoch();
  if (current === held) return;
  const err = new FencedWriteError(what, held, current);
  fence.onRefused?.(err);
  throw err;
}
