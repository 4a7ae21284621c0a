/**
 * Persists cluster events in the `events` table and reads them back in id order.
 * @module
 */
import type { Kysely } from 'kysely';
import type { ClusterEvent } from '@gatehouse/api';
import type { Database, EventRow } from '../store/tables.js';
import { parseJsonObject } from '../store/json-object.js';
import * as q from './event-queries.js';
import type { EventFilter } from './event-queries.js';
import { selectMeta } from '../store/meta-queries.js';
import { int64 } from '../store/int64.js';
import { EVENTS_LAST_ID } from '../store/migrations.js';

export type { EventFilter } from './event-queries.js';

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
    id: int64(r.id),
    time: int64(r.time),
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
      const mark = await selectMeta(db, EVENTS_LAST_ID).executeTakeFirst();
      const max = await q.selectMaxEventId(db).executeTakeFirst();
      return Math.max(Number(mark?.value ?? 0), int64(max?.m ?? 0));
    },
    async insert(events) {
      if (events.length === 0) return;
      const rows = events.map((e) => ({ ...e, data: JSON.stringify(e.data) }));
      const top = events.reduce((m, e) => Math.max(m, e.id), 0);
      await db.transaction().execute(async (tx) => {
        await q.insertEventRows(tx, rows).execute();
        await q.upsertEventsMark(tx, top).execute();
      });
    },
    async list(filter, afterId, limit) {
      const rows = await q.selectEvents(db, filter, afterId, limit).execute();
      const events = rows.map(toEvent);
      return afterId === null ? events.reverse() : events;
    },
    async deleteForClusters(names) {
      for (let i = 0; i < names.length; i += 500) {
        await q.deleteEventsOfClusters(db, names.slice(i, i + 500)).execute();
      }
    },
    async deleteUnboundBefore(before) {
      const r = await q.deleteUnboundEventsBefore(db, before).executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}
