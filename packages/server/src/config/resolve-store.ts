/**
 * Resolves the `store:` section: which database (an SQLite file, in memory, or PostgreSQL), its
 * connection settings, and where the sealing keys of secrets at rest come from. A PostgreSQL
 * password never appears in what this returns for display, nor in its error messages.
 * @module
 */
import path from 'node:path';
import { ConfigError } from './config-error.js';
import type { GatewayConfigInput } from './schema.js';

/** The SQLite store: a file, or ':memory:'. */
export interface ResolvedSqliteStore {
  readonly type: 'sqlite';
  readonly path: string;
}

/** The PostgreSQL store. */
export interface ResolvedPostgresStore {
  readonly type: 'postgres';
  /** The connection URL as configured (it may hold a password: never log it). */
  readonly url: string;
  /** A file holding the password, read when the database is opened. */
  readonly passwordFile: string | null;
  readonly poolSize: number;
  /** Period of the leader lease, in seconds (`store.lease_seconds`). */
  readonly leaseSeconds: number;
}

/** The resolved store. */
export type ResolvedStore = ResolvedSqliteStore | ResolvedPostgresStore;

/** Where the store's secrets are sealed from. */
export interface ResolvedSealing {
  /** Base64 keys from the config or GATEHOUSE_ENCRYPTION_KEYS (first seals). */
  readonly encryptionKeys: readonly string[];
  /** A file of base64 keys, one a line; null when none is configured. */
  readonly encryptionKeyFile: string | null;
}

/** `url` with any password replaced by `***` (for logs, banners and messages). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    // node-postgres also takes a password from the query string.
    for (const key of ['password', 'sslpassword', 'sslkey']) {
      if (u.searchParams.has(key)) u.searchParams.set(key, '***');
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@');
  }
}

/** Whether `url` names a PostgreSQL database. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//.test(url);
}

/**
 * A copy of `raw` whose `store` mapping names its type: `postgres` when its url is a PostgreSQL
 * one, else `sqlite` (a union's default cannot reach inside a mapping the user gave).
 */
export function storeTypeDefaulted(raw: Record<string, unknown>): Record<string, unknown> {
  const store = raw['store'];
  if (typeof store !== 'object' || store === null || Array.isArray(store)) return raw;
  const s = store as Record<string, unknown>;
  if ('type' in s) return raw;
  const url = s['url'];
  const type = typeof url === 'string' && isPostgresUrl(url) ? 'postgres' : 'sqlite';
  return { ...raw, store: { type, ...s } };
}

function sqlitePath(
  store: Extract<GatewayConfigInput['store'], { type: 'sqlite' }>,
  dataDir: string,
  base: string,
  source: string
): string {
  if (store.path !== null && store.url !== null) {
    throw new ConfigError(source, ['store.url: give store.path or store.url, not both']);
  }
  const given = store.path ?? store.url?.replace(/^sqlite:/, '') ?? null;
  if (store.url !== null && !store.url.startsWith('sqlite:')) {
    throw new ConfigError(source, [
      `store.url: unsupported store ${JSON.stringify(redactUrl(store.url))}; use 'sqlite:<path>', 'sqlite::memory:' or a postgresql:// URL with type: postgres`,
    ]);
  }
  if (given === null) return path.join(dataDir, 'gatehouse.db');
  if (given === ':memory:') return ':memory:';
  return path.resolve(base, given);
}

/** The resolved `store:` section (paths made absolute against `base`). */
export function resolveStore(
  store: GatewayConfigInput['store'],
  dataDir: string,
  base: string,
  source: string
): ResolvedStore {
  if (store.type === 'sqlite') {
    return { type: 'sqlite', path: sqlitePath(store, dataDir, base, source) };
  }
  if (!isPostgresUrl(store.url)) {
    throw new ConfigError(source, [
      `store.url: expected postgresql://user@host[:port]/database (got ${JSON.stringify(redactUrl(store.url))})`,
    ]);
  }
  return {
    type: 'postgres',
    url: store.url,
    passwordFile: store.password_file === null ? null : path.resolve(base, store.password_file),
    poolSize: store.pool_size,
    leaseSeconds: store.lease_seconds,
  };
}

/**
 * Where the sealing keys come from: config, else GATEHOUSE_ENCRYPTION_KEYS, plus a key file.
 * PostgreSQL needs one of them (a key made per process would not open another's secrets).
 */
export function resolveSealing(
  store: GatewayConfigInput['store'],
  env: Readonly<Record<string, string | undefined>>,
  base: string,
  source: string
): ResolvedSealing {
  const encryptionKeys =
    store.encryption_keys.length > 0
      ? store.encryption_keys
      : (env['GATEHOUSE_ENCRYPTION_KEYS'] ?? '').split(';').filter((k) => k !== '');
  const encryptionKeyFile =
    store.encryption_key_file === null ? null : path.resolve(base, store.encryption_key_file);
  if (store.type === 'postgres' && encryptionKeys.length === 0 && encryptionKeyFile === null) {
    throw new ConfigError(source, [
      'store.encryption_key_file: PostgreSQL needs a sealing key shared by every gateway process. ' +
        'Make one with `head -c 32 /dev/urandom | base64 > /etc/gatehouse/store.key && chmod 600 /etc/gatehouse/store.key` ' +
        'and set store.encryption_key_file to that file (or store.encryption_keys, or GATEHOUSE_ENCRYPTION_KEYS). ' +
        'Moving from SQLite? Use the key from <data_dir>/gatehouse.key (see docs/deploy.md).',
    ]);
  }
  return { encryptionKeys, encryptionKeyFile };
}
