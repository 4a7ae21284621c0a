/**
 * What `gatehouse db migrate` and `gatehouse db check` do on the configured store: migrate it
 * (under the migration lock), or report the pending migrations and whether the sealing keys open
 * the stored secrets, without changing anything.
 * @module
 */
import { existsSync } from 'node:fs';
import type { GatewayConfig } from '../config/load.js';
import { storeKeys } from '../wiring/store.js';
import { openStoreDatabase, type StoreTarget } from './db.js';
import { migrateToLatest, pendingMigrations } from './migrate.js';
import { createSecretBox } from './secret-box.js';

/** What `db check` found. */
export interface StoreCheck {
  /** The database, as it may be shown (no password). */
  readonly where: string;
  /** Migrations not yet applied, in order. */
  readonly pending: readonly string[];
  /** Sealed secrets stored, and how many of those tried the keys open. */
  readonly secrets: { readonly stored: number; readonly tried: number; readonly opened: number };
  /** Why the keys could not be loaded or did not open a secret, else null. */
  readonly keyProblem: string | null;
}

/** `db check` on an SQLite file that does not exist (checking never creates it). */
export class NoDatabaseError extends Error {
  constructor(file: string) {
    super(`there is no database at ${file} (gatehouse serve or gatehouse db migrate creates it)`);
    this.name = 'NoDatabaseError';
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** The configured store as a target to open. */
export function configuredTarget(config: GatewayConfig): StoreTarget {
  return config.store;
}

/** Migrates the configured store; returns the migrations this run applied. */
export async function migrateStore(config: GatewayConfig): Promise<string[]> {
  const db = await openStoreDatabase(configuredTarget(config), { migrate: false });
  try {
    return await migrateToLatest(db, config.storePath);
  } finally {
    await db.destroy();
  }
}

/** How many clusters' sealed secrets (token and TLS key) `db check` tries to open. */
const SAMPLE = 20;

/** Checks the configured store without changing it (the tables may not exist yet). */
export async function checkStore(config: GatewayConfig): Promise<StoreCheck> {
  const s = config.store;
  if (s.type === 'sqlite' && s.path !== ':memory:' && !existsSync(s.path)) {
    throw new NoDatabaseError(s.path);
  }
  const db = await openStoreDatabase(configuredTarget(config), { migrate: false });
  try {
    const pending = await pendingMigrations(db);
    const hasClusters = !pending.includes('0001-initial');
    const stored = hasClusters
      ? Number(
          (
            await db
              .selectFrom('clusters')
              .select((eb) => eb.fn.countAll<number | string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n
        )
      : 0;
    const rows = hasClusters
      ? await db
          .selectFrom('clusters')
          .select(['name', 'token_sealed', 'tls_key_sealed'])
          .limit(SAMPLE)
          .execute()
      : [];
    let keyProblem: string | null = null;
    let opened = 0;
    try {
      const box = createSecretBox(storeKeys(config, { create: false }));
      for (const r of rows) {
        try {
          box.open(r.token_sealed);
          box.open(r.tls_key_sealed);
          opened++;
        } catch (err) {
          keyProblem ??= `cluster ${r.name}: ${errorText(err)}`;
        }
      }
    } catch (err) {
      // An SQLite store makes its key file when it first needs one; without secrets, none yet.
      if (rows.length > 0 || s.type === 'postgres') keyProblem = errorText(err);
    }
    return {
      where: config.storePath,
      pending,
      secrets: { stored: stored * 2, tried: rows.length * 2, opened: opened * 2 },
      keyProblem,
    };
  } finally {
    await db.destroy();
  }
}
