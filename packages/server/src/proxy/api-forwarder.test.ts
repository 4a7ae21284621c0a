/**
 * Unit tests of `gatehouse proxy`'s API forwarding across several replicas, with real HTTP
 * servers on port 0: fake gateway replicas (named so; each answers its health route and every
 * request with its X-Gatehouse-Role, and a follower refuses cluster routes with 503) behind a
 * real public HTTP server running the forwarder. Leader routing, the follower's 503 replayed at
 * the leader (body included), a refused connection retried on another replica, a request held
 * while no replica leads and answered once one does, and the 503 once the hold runs out; a lone
 * gateway back from a restart answers before its next health check.
 * @module
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { createApiForwarder } from './api-forwarder.js';
import { createUpstreamPool } from './upstream-pool.js';

const log = pino({ level: 'silent' });

/** A fake gateway replica: its role can change; it records the bodies it was sent. */
interface FakeReplica {
  url: string;
  role: 'leader' | 'follower';
  bodies: string[];
  close(): Promise<void>;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => {
        r();
      });
    });
  closers.push(close);
  return `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
}

async function fakeReplica(role: 'leader' | 'follower'): Promise<FakeReplica> {
  const r: FakeReplica = { url: '', role, bodies: [], close: () => Promise.resolve() };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('x-gatehouse-role', r.role);
      if (req.url === '/api/health') return res.end('{"status":"pass"}');
      if (req.url?.startsWith('/api/v1/clusters') === true && r.role === 'follower') {
        res.writeHead(503, { 'Content-Type': 'application/json' });
        return res.end('{"code":"gateway_unavailable"}');
      }
      r.bodies.push(body);
      res.end(JSON.stringify({ from: r.url, url: req.url, body }));
    });
  });
  r.url = await listen(server);
  r.close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => {
        done();
      });
    });
  return r;
}

/** A proxy forwarding to `urls`; returns its URL and pool. */
async function proxy(urls: string[], holdMs = 5000) {
  const pool = createUpstreamPool({ urls, prefix: '', periodMs: 50, log });
  const fwd = createApiForwarder({ pool, holdMs, log });
  pool.start();
  closers.push(() => {
    fwd.close();
    return Promise.resolve();
  });
  return { url: await listen(http.createServer(fwd.handler)), pool };
}

async function call(url: string, path: string, body?: string) {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body }),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Resolves once the pool knows a leader. */
async function leaderKnown(pool: ReturnType<typeof createUpstreamPool>) {
  while (pool.leader() === null) await pool.changed(1000);
}

describe('createApiForwarder across replicas', () => {
  it('sends cluster routes to the leader, replaying a follower-refused body there', async () => {
    const f = await fakeReplica('follower');
    const l = await fakeReplica('leader');
    const p = await proxy([f.url, l.url]);
    const first = await call(p.url, '/api/v1/clusters/', '{"n":1}');
    assert.equal(first.status, 200);
    assert.equal(first.json['from'], l.url);
    assert.equal(first.json['body'], '{"n":1}');
    await leaderKnown(p.pool);
    assert.equal((await call(p.url, '/api/v1/options')).json['from'], l.url);
  });

  it('retries a refused connection on another replica', async () => {
    const dead = await fakeReplica('leader');
    await dead.close();
    const l = await fakeReplica('leader');
    const p = await proxy([dead.url, l.url]);
    const got = await call(p.url, '/api/v1/clusters/', '{"x":2}');
    assert.equal(got.json['from'], l.url);
    assert.deepEqual(l.bodies, ['{"x":2}']);
  });

  it('answers at once from a lone gateway back from a restart, before its health check', async () => {
    const g = await fakeReplica('leader');
    const port = Number(new URL(g.url).port);
    const pool = createUpstreamPool({ urls: [g.url], prefix: '', periodMs: 60_000, log });
    const fwd = createApiForwarder({ pool, holdMs: 0, log });
    closers.push(() => {
      fwd.close();
      return Promise.resolve();
    });
    const url = await listen(http.createServer(fwd.handler));
    await g.close();
    assert.equal((await call(url, '/api/v1/clusters/')).status, 503, 'down: a prompt 503');
    assert.equal(pool.list()[0]?.healthy, false);
    const back = http.createServer((_req, res) => {
      res.end('{"back":true}');
    });
    await new Promise<void>((r) => back.listen(port, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise<void>((r) => {
          back.close(() => {
            r();
          });
        })
    );
    assert.deepEqual((await call(url, '/api/v1/clusters/')).json, { back: true });
  });

  it('holds a cluster request while no replica leads and answers once one does', async () => {
    const a = await fakeReplica('follower');
    const b = await fakeReplica('follower');
    const p = await proxy([a.url, b.url]);
    // Routes every replica serves are answered by a follower at once.
    assert.equal((await call(p.url, '/api/v1/options')).status, 200);
    const held = call(p.url, '/api/v1/clusters/', 'body');
    await p.pool.changed(100);
    b.role = 'leader';
    const got = await held;
    assert.equal(got.status, 200);
    assert.equal(got.json['from'], b.url);
  });

  it('answers 503 gateway_unavailable once the hold runs out', async () => {
    const a = await fakeReplica('follower');
    const p = await proxy([a.url], 200);
    const t0 = Date.now();
    const got = await call(p.url, '/api/v1/clusters/', '{}');
    assert.equal(got.status, 503);
    assert.equal(got.json['code'], 'gateway_unavailable');
    assert.ok(Date.now() - t0 >= 190);
  });
});
