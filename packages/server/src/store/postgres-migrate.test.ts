/**
 * Two gateways starting at once on one fresh PostgreSQL database cannot both migrate: two child
 * processes are told to migrate while the test itself holds the migration advisory lock; both
 * are seen waiting for it (pg_locks), and once it is released one runs every migration and the
 * other none, both successfully. Skipped without GATEHOUSE_PG_URL.
 * @module
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { MIGRATION_LOCK_KEY } from './migrate.js';
import { MIGRATIONS } from './migrations.js';
import { createTestDatabase, pgSkip, type TestDatabase } from './testing/pg-database.js';

const made: TestDatabase[] = [];
after(async () => {
  for (const d of made) await d.drop();
});

const here = path.dirname(new URL(import.meta.url).pathname);
const mod = (f: string) => JSON.stringify(pathToFileURL(path.join(here, f)).href);

/** A gateway's start-up migration in a child process: "ready", then on "go" migrate and report. */
function migrator(url: string) {
  const code = `
    import { createInterface } from 'node:readline';
    const { postgresKysely } = await import(${mod('postgres-db.ts')});
    const { migrateToLatest } = await import(${mod('migrate.ts')});
    const db = postgresKysely({ url: ${JSON.stringify(url)}, poolSize: 2 });
    const say = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
    say({ ready: process.pid });
    for await (const line of createInterface({ input: process.stdin })) {
      try { say({ ran: await migrateToLatest(db, 'test') }); }
      catch (e) { say({ error: String(e), cause: String(e.cause) }); }
      await db.destroy();
      process.exit(0);
    }`;
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', code],
    { stdio: ['pipe', 'pipe', 'inherit'] }
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done === true) throw new Error('the migrating child ended early');
    return JSON.parse(r.value) as { ready?: number; ran?: string[]; error?: string };
  };
  return { child, next, go: () => child.stdin.write('go\n') };
}

/** Polls until `n` sessions wait for the migration advisory lock. */
async function untilWaiting(c: pg.Client, n: number): Promise<void> {
  for (let tries = 0; ; tries++) {
    if (tries > 1200) throw new Error(`${String(n)} processes never waited for the migration lock`);
    const r = await c.query<{ n: string }>(
      "select count(*) as n from pg_locks where locktype = 'advisory' and not granted"
    );
    if (Number(r.rows[0]?.n) >= n) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('migrations on PostgreSQL', { skip: pgSkip }, () => {
  it('two processes starting together: both wait for the lock, one migrates', async () => {
    const d = await createTestDatabase();
    made.push(d);
    const holder = new pg.Client({ connectionString: d.url });
    await holder.connect();
    const a = migrator(d.url);
    const b = migrator(d.url);
    try {
      await holder.query('select pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY.toString()]);
      assert.ok((await a.next()).ready);
      assert.ok((await b.next()).ready);
      a.go();
      b.go();
      await untilWaiting(holder, 2);
      await holder.query('select pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY.toString()]);
      const results = await Promise.all([a.next(), b.next()]);
      for (const r of results) assert.equal(r.error, undefined, JSON.stringify(r));
      const ran = results.map((r) => r.ran ?? []).sort((x, y) => y.length - x.length);
      assert.deepEqual(ran, [Object.keys(MIGRATIONS), []], 'one ran every migration, once');
    } finally {
      await holder.end();
      a.child.kill();
      b.child.kill();
    }
  });
});
