/**
 * Every query the cluster store issues, one builder each. A builder takes the database and
 * returns an uncompiled query, so the same function runs on SQLite and compiles for PostgreSQL
 * (`query-dialects.test.ts` compiles each in both). Updates are compare-and-set on `version`.
 * @module
 */
import type { Insertable, Kysely, Updateable } from 'kysely';
import type { ClusterRow, Database, WorkerRow } from './tables.js';

/** Inserts one cluster row. */
export const insertClusterRow = (db: Kysely<Database>, row: Insertable<ClusterRow>) =>
  db.insertInto('clusters').values(row);

/**
 * Updates a cluster if its stored version is still `version`, bumping it; 0 rows updated means
 * another writer got there first.
 */
export const updateClusterIfVersion = (
  db: Kysely<Database>,
  name: string,
  version: number,
  set: Omit<Updateable<ClusterRow>, 'version' | 'name'>
) =>
  db
    .updateTable('clusters')
    .set((eb) => ({ ...set, version: eb('version', '+', 1) }))
    .where('name', '=', name)
    .where('version', '=', version);

/** A cluster's stored version (to tell a lost race from a deleted row). */
export const selectClusterVersion = (db: Kysely<Database>, name: string) =>
  db.selectFrom('clusters').select('version').where('name', '=', name);

/** Inserts one worker row. */
export const insertWorkerRow = (db: Kysely<Database>, row: Insertable<WorkerRow>) =>
  db.insertInto('workers').values(row);

/** Updates a worker if its stored version is still `version`, bumping it. */
export const updateWorkerIfVersion = (
  db: Kysely<Database>,
  name: string,
  version: number,
  set: Omit<Updateable<WorkerRow>, 'version' | 'name' | 'cluster_name' | 'start_time'>
) =>
  db
    .updateTable('workers')
    .set((eb) => ({ ...set, version: eb('version', '+', 1) }))
    .where('name', '=', name)
    .where('version', '=', version);

/** A worker's stored version. */
export const selectWorkerVersion = (db: Kysely<Database>, name: string) =>
  db.selectFrom('workers').select('version').where('name', '=', name);

/** Every cluster row, oldest first. */
export const selectClusterRows = (db: Kysely<Database>) =>
  db.selectFrom('clusters').selectAll().orderBy('start_time').orderBy('name');

/** Every worker row, oldest first. */
export const selectWorkerRows = (db: Kysely<Database>) =>
  db.selectFrom('workers').selectAll().orderBy('start_time').orderBy('name');

/** Deletes clusters (their workers cascade) that stopped before `before`, naming them. */
export const deleteClustersStoppedBefore = (db: Kysely<Database>, before: number) =>
  db
    .deleteFrom('clusters')
    .where('stop_time', 'is not', null)
    .where('stop_time', '<', before)
    .returning('name');
