/**
 * Gateway replicas on one real PostgreSQL database (skipped without GATEHOUSE_PG_URL), in this
 * process, with inert `sleep` schedulers: the first leads and the second follows (its cluster
 * routes answer 503, every other route serves); the leader stops and the follower takes over the
 * lease one epoch on, adopts the cluster the first started and serves it. A leader whose lease
 * another replica took steps down (its cluster routes answer 503 from then on). Every answer
 * says which role gave it (X-Gatehouse-Role).
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import { loadConfig } from '../config/load.js';
import { startGateway, type Gateway } from '../gateway.js';
import { openStoreDatabase } from '../store/db.js';
import { createLeaderLease } from '../store/leader-lease.js';
import { createTestDatabase, pgSkip, type TestDatabase } from '../store/testing/pg-database.js';
import { INERT_LOCAL_BACKEND } from '../clusters/testing/inert-local-backend.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-replicas-'));
const made: TestDatabase[] = [];
after(async () => {
  for (const d of made) await d.drop();
  rmSync(dir, { recursive: true, force: true });
});

function config(url: string, stopClustersOnShutdown: boolean) {
  return loadConfig({
    values: {
      listen: '127.0.0.1:0',
      data_dir: dir,
      stop_clusters_on_shutdown: stopClustersOnShutdown,
      store: {
        type: 'postgres',
        url,
        pool_size: 4,
        lease_seconds: 3,
        encryption_keys: [Buffer.alloc(32, 9).toString('base64')],
      },
      access: { grant_all_authenticated: true, bootstrap_admin_token: false },
      ...INERT_LOCAL_BACKEND,
    },
    env: {},
    defaultPythonEnv: '/nonexistent',
  });
}

/** A logger whose `ha.*` events a test can await (`next('ha.elected')`). */
function watchedLog(): { log: Logger; next: (event: string) => Promise<Record<string, unknown>> } {
  const waiting = new Map<string, (line: Record<string, unknown>) => void>();
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const text of chunk.toString().split('\n')) {
        if (text === '') continue;
        const line = JSON.parse(text) as Record<string, unknown>;
        const fire = typeof line['event'] === 'string' ? waiting.get(line['event']) : undefined;
        if (fire !== undefined) {
          waiting.delete(String(line['event']));
          fire(line);
        }
      }
      done();
    },
  });
  const next = (event: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      waiting.set(event, resolve);
    });
  return { log: pino({ level: 'info' }, stream), next };
}

/** A request as alice (Basic, empty password): the status and parsed body. */
async function call(g: Gateway, method: string, p: string, body?: unknown) {
  const r = await fetch(`${g.url}/api/v1${p}`, {
    method,
    headers: {
      Authorization: `Basic ${Buffer.from('alice:').toString('base64')}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return {
    status: r.status,
    retryAfter: r.headers.get('retry-after'),
    role: r.headers.get('x-gatehouse-role'),
    body: (text === '' ? null : JSON.parse(text)) as Record<string, unknown> | null,
  };
}

describe('gateway replicas on one PostgreSQL', { skip: pgSkip }, () => {
  it('one leads, one follows; the follower takes over and adopts the cluster', async () => {
    const d = await createTestDatabase();
    made.push(d);
    const deposed: string[] = [];
    const onDeposed = (reason: string) => {
      deposed.push(reason);
    };
    const a = await startGateway(config(d.url, false), {
      log: pino({ level: 'silent' }),
      onDeposed,
    });
    const watchB = watchedLog();
    const b = await startGateway(config(d.url, true), { log: watchB.log, onDeposed });
    const bElected = watchB.next('ha.leading');
    try {
      assert.equal(a.leadership.leading(), true, deposed.join('; '));
      assert.equal(a.leadership.epoch(), 1);
      assert.equal(b.leadership.leading(), false);

      const refused = await call(b, 'GET', '/clusters/');
      assert.equal(refused.status, 503);
      const answer = refused.body ?? {};
      assert.equal(answer['code'], 'gateway_unavailable');
      assert.match(String(answer['error']), /does not lead/);
      assert.equal(refused.retryAfter, '5');
      assert.equal(refused.role, 'follower', 'a follower says so (gatehouse proxy reads it)');
      assert.equal((await call(b, 'GET', '/me')).status, 200, 'other routes serve on a follower');

      const made = await call(a, 'POST', '/clusters/', { cluster_options: {} });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      assert.equal(made.role, 'leader');
      const name = String(made.body?.['name']);
      assert.equal((await call(a, 'GET', `/clusters/${name}`)).status, 200);

      await a.stop(); // releases the lease; its cluster keeps running
      const elected = await bElected;
      assert.equal(elected['epoch'], 2);
      assert.equal(b.leadership.leading(), true);
      const adopted = await call(b, 'GET', `/clusters/${name}`);
      assert.equal(adopted.status, 200, JSON.stringify(adopted.body));
      assert.equal(adopted.body?.['name'], name);
      assert.deepEqual(deposed, []);
    } finally {
      await a.stop();
      await b.stop(); // stops the cluster (stop_clusters_on_shutdown)
    }
  });

  it('a leader whose lease another replica took steps down', async () => {
    const d = await createTestDatabase();
    made.push(d);
    let stepDown: (reason: string) => void = () => undefined;
    const deposed = new Promise<string>((resolve) => {
      stepDown = resolve;
    });
    const c = await startGateway(config(d.url, false), {
      log: pino({ level: 'silent' }),
      onDeposed: stepDown,
    });
    // Two connections: migrating holds one for its lock and runs on another.
    const db = await openStoreDatabase({ type: 'postgres', url: d.url, poolSize: 2 });
    try {
      assert.equal(c.leadership.leading(), true);
      assert.equal((await call(c, 'GET', '/clusters/')).status, 200);
      // As if c had been paused past its lease: a replica whose clock is ahead takes it.
      const lease = createLeaderLease(db, { now: () => Date.now() + 60_000 });
      const taken = await lease.acquire('other', 60_000);
      assert.ok(taken.held);
      assert.match(await deposed, /taken over or had lapsed/);
      assert.equal(c.leadership.leading(), false);
      assert.equal((await call(c, 'GET', '/clusters/')).status, 503);
    } finally {
      await db.destroy();
      await c.stop();
    }
  });
});
