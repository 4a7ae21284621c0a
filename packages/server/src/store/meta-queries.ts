/**
 * Queries on `gateway_meta`, the installation's key-value facts (compiled in both dialects by
 * `query-dialects.test.ts`).
 * @module
 */
import type { Kysely } from 'kysely';
import type { Database } from './tables.js';

/** Sets `key` unless it is already set (first writer wins). */
export const insertMetaIfAbsent = (db: Kysely<Database>, key: string, value: string) =>
  db
    .insertInto('gateway_meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing());

/** The value of `key`. */
export const selectMeta = (db: Kysely<Database>, key: string) =>
  db.selectFrom('gateway_meta').select('value').where('key', '=', key);
