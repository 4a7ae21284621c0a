/**
 * A fresh PostgreSQL database per test, on the server `GATEHOUSE_PG_URL` names (the suite
 * `postgres` starts one with scripts/pg/pg-up.sh): CREATE DATABASE with a random name, dropped
 * (its connections ended) after. Without the variable the tests skip, saying why.
 * @module
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server's URL, or undefined when the PostgreSQL tests should skip. */
export const PG_URL: string | undefined = process.env['GATEHOUSE_PG_URL'] || undefined;

/** The `skip` option of a PostgreSQL test: false, or why it skips. */
export const pgSkip: false | string =
  PG_URL === undefined
    ? 'GATEHOUSE_PG_URL is not set (bash scripts/pg/pg-up.sh prints one)'
    : false;

/** A test database: its URL, and a function that drops it. */
export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty database with a random name on `serverUrl` (default GATEHOUSE_PG_URL). */
export async function createTestDatabase(serverUrl = PG_URL): Promise<TestDatabase> {
  if (serverUrl === undefined) throw new Error('GATEHOUSE_PG_URL is not set');
  const name = `gh_test_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`create database ${name}`));
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: () =>
      admin(serverUrl, async (c) => {
        await c.query(`drop database if exists ${name} with (force)`);
      }),
  };
}
