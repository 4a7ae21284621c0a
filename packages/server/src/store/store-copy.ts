/**
 * `gatehouse db copy`: moves an installation from one database to another (SQLite to
 * PostgreSQL, typically) with everything in it: cluster records with their backend state (so a
 * gateway started on the copy re-adopts the running clusters), workers, access, audit, usage,
 * events and the instance id. Secrets are copied sealed, as they are: the new store needs the
 * same sealing key. Both databases are migrated to the latest schema first; the copy is one
 * transaction on the target, which must be empty unless `force` (then its rows are replaced).
 * @module
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { isPostgresUrl, redactUrl } from '../config/resolve-store.js';
import { isSqlite } from './dialect.js';
import { openStoreDatabase, type StoreTarget } from './db.js';
import { NoDatabaseError } from './store-admin.js';
import type { Database } from './tables.js';

/** Tables copied first (others may refer to them); every other table follows by name. */
const FIRST = ['clusters'];
/** Kysely's own bookkeeping: each database keeps its own. */
const SKIPPED = /^kysely_/;
/** Rows inserted per statement (PostgreSQL allows 65535 parameters per statement). */
const BATCH = 200;

/** The target is not empty and `force` was not given. */
export class TargetNotEmptyError extends Error {
  /** The target's tables that hold rows. */
  readonly tables: readonly string[];
  constructor(tables: readonly string[]) {
    super(
      `the target database is not empty (rows in ${tables.join(', ')}); pass --force to replace them`
    );
    this.name = 'TargetNotEmptyError';
    this.tables = tables;
  }
}

/** What was copied: rows per table, and the key ids the secrets are sealed with. */
export interface CopyResult {
  readonly rows: Readonly<Record<string, number>>;
  readonly keyIds: readonly string[];
}

type AnyDb = Kysely<Record<string, Record<string, unknown>>>;

/** The store's tables in copy order. */
async function tablesOf(db: Kysely<Database>): Promise<string[]> {
  const names = (await db.introspection.getTables())
    .map((t) => t.name)
    .filter((n) => !SKIPPED.test(n))
    .sort();
  return [...FIRST.filter((n) => names.includes(n)), ...names.filter((n) => !FIRST.includes(n))];
}

async function rowCount(db: AnyDb, table: string): Promise<number> {
  const r = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r['n']);
}

/** On PostgreSQL, moves every identity column's sequence past the ids copied into it. */
async function advanceIdentities(tx: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ t: string; c: string; seq: string }>`
    select table_name as t, column_name as c, pg_get_serial_sequence(table_name, column_name) as seq
    from information_schema.columns
    where is_identity = 'YES' and table_schema = current_schema()`.execute(tx);
  for (const { t, c, seq } of rows) {
    await sql`select setval(${seq}, coalesce((select max(${sql.ref(c)}) from ${sql.table(t)}), 0) + 1, false)`.execute(
      tx
    );
  }
}

/**
 * The database a `db copy` argument names: `sqlite:PATH` (relative to `cwd`) or a
 * postgresql:// URL.
 * @throws Error for anything else (the message never repeats a password).
 */
export function targetFromUrl(url: string, cwd: string, passwordFile?: string): StoreTarget {
  if (url.startsWith('sqlite:')) {
    const file = url.slice('sqlite:'.length);
    return { type: 'sqlite', path: file === ':memory:' ? file : path.resolve(cwd, file) };
  }
  if (isPostgresUrl(url)) {
    return { type: 'postgres', url, poolSize: 2, passwordFile: passwordFile ?? null };
  }
  throw new Error(`${redactUrl(url)}: expected sqlite:PATH or postgresql://user@host/database`);
}

/** Copies every row of `from` into `to` (see the module comment). */
export async function copyStore(
  from: StoreTarget,
  to: StoreTarget,
  opts: { readonly force?: boolean } = {}
): Promise<CopyResult> {
  if (from.type === 'sqlite' && from.path !== ':memory:' && !existsSync(from.path)) {
    throw new NoDatabaseError(from.path);
  }
  const src = await openStoreDatabase(from);
  try {
    const dst = await openStoreDatabase(to);
    try {
      const tables = await tablesOf(src);
      const targetTables = new Set(await tablesOf(dst));
      const missing = tables.filter((t) => !targetTables.has(t));
      if (missing.length > 0) throw new Error(`the target has no table ${missing.join(', ')}`);
      const busy: string[] = [];
      for (const t of tables) if ((await rowCount(dst as unknown as AnyDb, t)) > 0) busy.push(t);
      if (busy.length > 0 && opts.force !== true) throw new TargetNotEmptyError(busy);
      const rows: Record<string, number> = {};
      await dst.transaction().execute(async (tx) => {
        const t2 = tx as unknown as AnyDb;
        for (const t of [...tables].reverse()) await t2.deleteFrom(t).execute();
        for (const t of tables) {
          const all = await (src as unknown as AnyDb).selectFrom(t).selectAll().execute();
          for (let i = 0; i < all.length; i += BATCH) {
            await t2
              .insertInto(t)
              .values(all.slice(i, i + BATCH))
              .execute();
          }
          rows[t] = all.length;
        }
        if (!isSqlite(dst)) await advanceIdentities(tx);
      });
      const sealed = await src.selectFrom('clusters').select('token_sealed').execute();
      const keyIds = [...new Set(sealed.map((r) => r.token_sealed.split(':')[1] ?? ''))];
      return { rows, keyIds };
    } finally {
      await dst.destroy();
    }
  } finally {
    await src.destroy();
  }
}
