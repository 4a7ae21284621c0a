/**
 * Opens the store's database and migrates it: SQLite (private files (0600), WAL mode, busy
 * timeout, foreign keys) or PostgreSQL (a pool through `pg`, migrations under an advisory lock).
 * @module
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './tables.js';
import { createPrivateFile, databaseFiles, restrictFiles } from './private-files.js';
import { migrateToLatest } from './migrate.js';
import { postgresKysely, type PostgresTarget } from './postgres-db.js';
import { redactUrl } from '../config/resolve-store.js';

/** Which database to open: an SQLite file (or ':memory:'), or PostgreSQL. */
export type StoreTarget =
  | { readonly type: 'sqlite'; readonly path: string }
  | ({ readonly type: 'postgres' } & PostgresTarget);

/** Whether to migrate on open (the default), or leave the schema as it is (`db check`). */
export interface OpenOptions {
  readonly migrate?: boolean;
}

/** An SQLite database at `file` (or ':memory:'), created if needed, not migrated. */
export function sqliteKysely(file: string): Kysely<Database> {
  if (file !== ':memory:') {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    createPrivateFile(file);
    restrictFiles(databaseFiles(file));
  }
  const sqlite = new SqliteDatabase(file);
  if (file !== ':memory:') sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  return new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
}

/**
 * Opens (creating if needed) the database at `file` (or ':memory:') and migrates it. The file
 * and its WAL and SHM are 0600 (created so, tightened if an older install left them wider).
 */
export async function openDatabase(file: string): Promise<Kysely<Database>> {
  return openStoreDatabase({ type: 'sqlite', path: file });
}

/** Opens the database `target` names and (unless told not to) migrates it to the latest schema. */
export async function openStoreDatabase(
  target: StoreTarget,
  opts: OpenOptions = {}
): Promise<Kysely<Database>> {
  const db = target.type === 'sqlite' ? sqliteKysely(target.path) : postgresKysely(target);
  if (opts.migrate !== false) {
    try {
      await migrateToLatest(db, target.type === 'sqlite' ? target.path : redactUrl(target.url));
    } catch (error) {
      await db.destroy();
      throw error;
    }
  }
  // The WAL and SHM files exist now; SQLite gave them the database's mode, but check.
  if (target.type === 'sqlite' && target.path !== ':memory:') {
    restrictFiles(databaseFiles(target.path));
  }
  return db;
}
