/**
 * The pool queue in the store (`pool_queue`, migration 0012), so waiting survives a restart,
 * a SIGKILL included: every change is written as it happens, one write at a time in order.
 * @module
 */
import type { Kysely } from 'kysely';
import { int64 } from '../store/int64.js';
import type { Database } from '../store/tables.js';
import type { WaitEntry, WaitQueueListener } from './wait-queue.js';

/** The persisted queue. */
export interface QueueStore {
  /** Every entry persisted. */
  load(): Promise<WaitEntry[]>;
  /** Writes one change (the queue's listener); failures go to `onError`. */
  readonly persist: WaitQueueListener;
  /** Settles once every change so far is written. */
  flushed(): Promise<void>;
}

/** The queue store over `db`. */
export function createQueueStore(
  db: Kysely<Database>,
  onError: (err: unknown) => void
): QueueStore {
  let chain: Promise<void> = Promise.resolve();
  const write = async (cluster: string, e: WaitEntry | null): Promise<void> => {
    if (e === null) {
      await db.deleteFrom('pool_queue').where('cluster_name', '=', cluster).execute();
      return;
    }
    const row = {
      wanted: e.wanted,
      since: e.since,
      updated: e.updated,
      username: e.user,
      pinned: e.pinned ?? null,
    };
    await db
      .insertInto('pool_queue')
      .values({ cluster_name: cluster, ...row })
      .onConflict((oc) => oc.column('cluster_name').doUpdateSet(row))
      .execute();
  };
  return {
    async load() {
      const rows = await db.selectFrom('pool_queue').selectAll().execute();
      return rows.map((r) => ({
        cluster: r.cluster_name,
        user: r.username,
        wanted: r.wanted,
        since: int64(r.since),
        updated: int64(r.updated),
        pinned: r.pinned,
      }));
    },
    persist(cluster, e) {
      chain = chain.then(() => write(cluster, e)).catch(onError);
    },
    flushed: () => chain,
  };
}
