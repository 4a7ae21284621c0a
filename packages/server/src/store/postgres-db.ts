/**
 * Opens a PostgreSQL store through node-postgres (`pg`) and Kysely's PostgreSQL dialect: a
 * connection pool per process, the password from the URL or a file. Nothing here logs the URL
 * with its password.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './tables.js';

/** How to reach a PostgreSQL database. */
export interface PostgresTarget {
  /** postgresql://user[:password]@host[:port]/database */
  readonly url: string;
  /** A file holding the password (overrides one in the URL). */
  readonly passwordFile?: string | null;
  /** Connections kept at most (default 10). */
  readonly poolSize?: number;
  /**
   * The server ends a session of this pool that sits idle inside a transaction this long
   * (`idle_in_transaction_session_timeout`), releasing its locks: a process frozen mid-write
   * (SIGSTOP, a stalled event loop) cannot block other replicas for ever. Unset: no limit.
   */
  readonly idleInTransactionMs?: number;
  /** Called with errors of idle pooled connections (a restarted server, say). */
  readonly onPoolError?: (err: Error) => void;
}

/** The password in `file`, without its trailing newline. */
function readPassword(file: string): string {
  return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
}

/** A Kysely over a new pool of connections to `target` (nothing is connected until used). */
export function postgresKysely(target: PostgresTarget): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString: target.url,
    max: target.poolSize ?? 10,
    application_name: 'gatehouse',
    ...(target.idleInTransactionMs === undefined
      ? {}
      : { idle_in_transaction_session_timeout: target.idleInTransactionMs }),
    ...(target.passwordFile == null ? {} : { password: readPassword(target.passwordFile) }),
  });
  pool.on('error', (err) => {
    target.onPoolError?.(err);
  });
  // A connection the server ends while it is checked out but between queries (the idle-in-
  // transaction limit) reports on the client, not the pool: without a listener, that would be
  // an uncaught error. The transaction's next query fails instead.
  pool.on('connect', (client) => {
    client.on('error', (err) => {
      target.onPoolError?.(err);
    });
  });
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
