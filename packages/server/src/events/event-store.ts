/**
 * Persists cluster events in the `events` table and reads them back in id order.
 * @module
 */
import { sql, type Kysely } from 'kysely';
import type { ClusterEvent } from '@gatehouse/api';
import type { Database, EventRow } from '../store/tables.js';
import { parseJsonObject } from '../store/json-object.js';

/** Which events a reader may see: one cluster's, one user's, or (both null) everyone's. */
export interface EventFilter {
  readonly cluster: string | null;
  readonly username: string | null;
}

/** Reads and writes events. */
export interface EventStore {
  /** The highest id ever assigned (0 for an empty table). */
  lastId(): Promise<number>;
  /** Inserts events whose ids were already assigned. */
  insert(events: readonly ClusterEvent[]): Promise<void>;
  /**
   * Events matching `filter` with id above `afterId`, oldest first. With `afterId` null, the
   * newest `limit` events (still oldest first); otherwise the first `limit` after it.
   */
  list(filter: EventFilter, afterId: number | null, limit: number): Promise<ClusterEvent[]>;
  /** Deletes every event of the named clusters. */
  deleteForClusters(names: readonly string[]): Promise<void>;
  /** Deletes events that name no cluster and are older than `before` (ms). */
  deleteUnboundBefore(before: number): Promise<number>;
}

/** Whether `e` passes `filter` (used for live events, mirroring the SQL of `list`). */
export function matches(filter: EventFilter, e: ClusterEvent): boolean {
  return (
    (filter.cluster === null || e.cluster === filter.cluster) &&
    (filter.username === null || e.username === filter.username)
  );
}

function toEvent(r: EventRow): ClusterEvent {
  return {
    id: r.id,
    time: r.time,
    type: r.type,
    cluster: r.cluster,
    worker: r.worker,
    username: r.username,
    actor: r.actor,
    message: r.message,
    data: parseJsonObject(r.data),
  };
}

/** An event store over a migrated database. */
export function createEventStore(db: Kysely<Database>): EventStore {
  return {
    async lastId() {
      const seq = await sql<{ seq: number }>`
        select seq from sqlite_sequence where name = 'events'`.execute(db);
      const max = await db
        .selectFrom('events')
        .select((eb) => eb.fn.max('id').as('m'))
        .executeTakeFirst();
      return Math.max(seq.rows[0]?.seq ?? 0, max?.m ?? 0);
    },
    async insert(events) {
      if (events.length === 0) return;
      await db
        .insertInto('events')
        .values(events.map((e) => ({ ...e, data: JSON.stringify(e.data) })))
        .execute();
    },
    async list(filter, afterId, limit) {
      let q = db.selectFrom('events').selectAll();
      if (filter.cluster !== null) q = q.where('cluster', '=', filter.cluster);
      if (filter.username !== null) q = q.where('username', '=', filter.username);
      if (afterId !== null) {
        const rows = await q.where('id', '>', afterId).orderBy('id').limit(limit).execute();
        return rows.map(toEvent);
      }
      const rows = await q.orderBy('id', 'desc').limit(limit).execute();
      return rows.reverse().map(toEvent);
    },
    async deleteForClusters(names) {
      for (let i = 0; i < names.length; i += 500) {
        await db
          .deleteFrom('events')
          .where('cluster', 'in', names.slice(i, i + 500))
          .execute();
      }
    },
    async deleteUnboundBefore(before) {
      const r = await db
        .deleteFrom('events')
        .where('cluster', 'is', null)
        .where('time', '<', before)
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
