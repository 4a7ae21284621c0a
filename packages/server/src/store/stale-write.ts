/**
 * The refusal of a compare-and-set write that lost a race: another writer (another gateway
 * process on the same database) changed the row since this one read it.
 * @module
 */

/** A write refused because the stored row's version moved on (or the row is gone). */
export class StaleWriteError extends Error {
  /** Machine-readable kind, as other gateway errors carry. */
  readonly code = 'conflict';
  /** `clusters` or `workers`. */
  readonly table: 'clusters' | 'workers';
  /** The row's key. */
  readonly key: string;
  /** The version this writer held. */
  readonly expected: number;
  /** The version stored now, re-read after the refusal (null: the row was deleted). */
  readonly actual: number | null;

  constructor(table: 'clusters' | 'workers', key: string, expected: number, actual: number | null) {
    super(
      `stale write to ${table} row ${key}: held version ${expected}, stored ` +
        (actual === null ? 'row is gone' : `version ${actual}`)
    );
    this.name = 'StaleWriteError';
    this.table = table;
    this.key = key;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Whether `e` is a lost compare-and-set race. */
export function isStaleWrite(e: unknown): e is StaleWriteError {
  return e instanceof StaleWriteError;
}
