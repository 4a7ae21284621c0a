/**
 * Every query the event store issues, one builder each (compiled in both dialects by
 * `store/query-dialects.test.ts`). The id high-water mark lives in a `gateway_meta` row, not in
 * a dialect's own sequence table, so ids stay unique after old events are pruned.
 * @module
 */
import type { Insertable, Kysely } from 'kysely';
import type { Database, EventRow } from '../store/tables.js';
import { EVENTS_LAST_ID } from '../store/migrations.js';

/** Which events a reader may see: one cluster's, one user's, or (both null) everyone's. */
export interface EventFilter {
  readonly cluster: string | null;
  readonly username: string | null;
}

/** The highest event id present. */
export const selectMaxEventId = (db: Kysely<Database>) =>
  db.selectFrom('events').select((eb) => eb.fn.max('id').as('m'));

/** Records `id` as the high-water mark (callers pass ids in increasing order). */
export const upsertEventsMark = (db: Kysely<Database>, id: number) =>
  db
    .insertInto('gateway_meta')
    .values({ key: EVENTS_LAST_ID, value: String(id) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: String(id) }));

/** Inserts events whose ids were already assigned. */
export const insertEventRows = (db: Kysely<Database>, rows: readonly Insertable<EventRow>[]) =>
  db.insertInto('events').values(rows);

/** Events matching `filter`, newest first (no `afterId`) or oldest first after `afterId`. */
export function selectEvents(
  db: Kysely<Database>,
  filter: EventFilter,
  afterId: number | null,
  limit: number
) {
  let q = db.selectFrom('events').selectAll();
  if (filter.cluster !== null) q = q.where('cluster', '=', filter.cluster);
  if (filter.username !== null) q = q.where('username', '=', filter.username);
  if (afterId !== null) return q.where('id', '>', afterId).orderBy('id').limit(limit);
  return q.orderBy('id', 'desc').limit(limit);
}

/** Deletes every event of the named clusters (callers pass at most 500 names). */
export const deleteEventsOfClusters = (db: Kysely<Database>, names: readonly string[]) =>
  db.deleteFrom('events').where('cluster', 'in', names);

/** Deletes events that name no cluster and are older than `before`. */
export const deleteUnboundEventsBefore = (db: Kysely<Database>, before: number) =>
  db.deleteFrom('events').where('cluster', 'is', null).where('time', '<', before);
