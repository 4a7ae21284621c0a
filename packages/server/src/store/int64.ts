/**
 * Reads 64-bit integer columns (millisecond timestamps, versions, ids) as numbers. SQLite hands
 * them back as numbers; a PostgreSQL driver may return `bigint` columns as strings, so every read
 * of one goes through here.
 * @module
 */

/** A stored 64-bit integer as a number. */
export const int64 = (v: number | string | bigint): number => Number(v);

/** A nullable stored 64-bit integer as a number or null. */
export const int64OrNull = (v: number | string | bigint | null): number | null =>
  v === null ? null : Number(v);
