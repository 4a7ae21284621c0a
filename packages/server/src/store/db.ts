/**
 * Opens the SQLite store: private files (0600), WAL mode, busy timeout, foreign keys, then
 * migrations.
 * @module
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import type { Database } from './tables.js';
import { createPrivateFile, databaseFiles, restrictFiles } from './private-files.js';
import { migrationProvider } from './migrations.js';

/**
 * Opens (creating if needed) the database at `file` (or ':memory:') and migrates it. The file
 * and its WAL and SHM are 0600 (created so, tightened if an older install left them wider).
 */
export async function openDatabase(file: string): Promise<Kysely<Database>> {
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
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error, results } = await new Migrator({
    db,
    provider: migrationProvider,
  }).migrateToLatest();
  if (error !== undefined) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`database migration ${failed} failed on ${file}`, { cause: error });
  }
  // The WAL and SHM files exist now; SQLite gave them the database's mode, but check.
  if (file !== ':memory:') restrictFiles(databaseFiles(file));
  return db;
}
