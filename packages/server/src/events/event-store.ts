/**
 * Persists cluster events in the `events` table and reads them back in id order.
 * @module
 */
import { sql, type Kysely } from 'kysely';
import type { ClusterEvent } from '@gatehouse/api';
import type { Database, EventRow } from '../store/tables.js';
import { parseJsonObject } from '../store/json-object.js';
import * as q from './event-queries.js';
import type { EventFilter } from './event-queries.js';
import { selectMeta } from '../store/meta-queries.js';
import { int64 } from '../store/int64.js';
import { EVENTS_LAST_ID } from '../store/migrations.js';
import { isSqlite } from '../store/dialect.js';

/** An event as recorded, before the store gives it an id. */
export type UnstoredEvent = Omit<ClusterEvent, 'id'>;

export type { EventFilter } from './event-queries.js';

/** Reads and writes events. */
export interface EventStore {
  /** The highest id ever assigned (0 for an empty table). */
  lastId(): Promise<number>;
  /**
   * Stores `events` in order and returns them with the ids the store assigned: above every id
   * ever assigned. On PostgreSQL, appends from every replica take one lock in turn until they
   * commit, so ids become visible in increasing order and a reader after an id misses none.
   */
  append(events: readonly UnstoredEvent[]): Promise<ClusterEvent[]>;
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

/** The advisory lock key of event ids (a fixed 64-bit number; "gh-event" in ASCII). */
const EVENT_ID_LOCK_KEY = 0x67682d6576656e74n;

/**
 * Takes the event-id lock until `tx` ends (PostgreSQL only): appends assign ids and commit one
 * at a time, so ids become visible in increasing order.
 */
async function lockEventIds(tx: Kysely<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${EVENT_ID_LOCK_KEY.toString()}::bigint)`.execute(tx);
}

/** The highest id ever assigned: the mark (kept when the newest events are pruned) or the max. */
async function lastIdIn(db: Kysely<Database>): Promise<number> {
  const mark = await selectMeta(db, EVENTS_LAST_ID).executeTakeFirst();
  const max = await q.selectMaxEventId(db).executeTakeFirst();
  return Math.max(Number(mark?.value ?? 0), int64(max?.m ?? 0));
}

/** An event store over a migrated database. */
export function createEventStore(db: Kysely<Database>): EventStore {
  return {
    lastId: () => lastIdIn(db),
    async append(events) {
      if (events.length === 0) return [];
      return db.transaction().execute(async (tx) => {
        if (!isSqlite(db)) await lockEventIds(tx);
        const first = (await lastIdIn(tx)) + 1;
        const stored = events.map((e, i) => ({ ...e, id: first + i }));
        const rows = stored.map((e) => ({ ...e, data: JSON.stringify(e.data) }));
        await q.insertEventRows(tx, rows).execute();
        await q.upsertEventsMark(tx, first + events.length - 1).execute();
        return stored;
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
