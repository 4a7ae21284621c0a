/**
 * Runs the schema migrations of either dialect, and says which are pending. On PostgreSQL the
 * whole run holds a session advisory lock, so gateways starting at once on one database take
 * turns: the first migrates, the others find nothing left to do.
 * @module
 */
import { Migrator, sql, type Kysely } from 'kysely';
import { isSqlite } from './dialect.js';
import { migrationProvider } from './migrations.js';
import type { Database } from './tables.js';

/** The advisory lock key of migrations (any fixed 64-bit number; "gatehous" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6761_7465_686f_7573n;

/** A migration that failed: its name and the database's error as the cause. */
export class MigrationError extends Error {
  /** The name of the migration that failed. */
  readonly migration: string;
  constructor(migration: string, where: string, cause: unknown) {
    super(`database migration ${migration} failed on ${where}`, { cause });
    this.name = 'MigrationError';
    this.migration = migration;
  }
}

async function runMigrator(db: Kysely<Database>, where: string): Promise<string[]> {
  const { error, results } = await new Migrator({
    db,
    provider: migrationProvider,
  }).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(failed, where, error);
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * Migrates `db` to the latest schema; returns the names of the migrations this call ran.
 * @param where - Names the database in errors (a path, or a URL without its password).
 * @throws MigrationError naming the migration that failed.
 */
export async function migrateToLatest(db: Kysely<Database>, where: string): Promise<string[]> {
  if (isSqlite(db)) return runMigrator(db, where);
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`.execute(conn);
    try {
      // On the lock's own connection: with a pool of one, another would never come.
      return await runMigrator(conn, where);
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY.toString()}::bigint)`.execute(conn);
    }
  });
}

/** The names of the migrations not yet applied to `db`, in order (reads only). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const all = await new Migrator({ db, provider: migrationProvider }).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
