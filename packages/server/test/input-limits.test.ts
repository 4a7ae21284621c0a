/**
 * Input limits and request ids against one real gateway (in-memory store, local backend; the
 * one cluster's "scheduler" is `sleep`, so it costs nothing): body caps (413) with the
 * heartbeat's larger cap checked after its cluster token, per-user throttling that never
 * touches cluster-token requests, request ids in headers, error bodies and log lines,
 * redaction of credentials, and the audit log.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../src/config/load.js';
import { addFinishedWorkers } from './finished-workers.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { createLogger } from '../src/observability/logger.js';

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function send(
  url: string,
  method: string,
  p: string,
  headers: http.OutgoingHttpHeaders,
  body?: string
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${p}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const basic = (user: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:pw`).toString('base64')}`,
  'Content-Type': 'application/json',
});

describe('input limits, request ids and logs', () => {
  let gateway: Gateway;
  let dir: string;
  const lines: string[] = [];
  let cluster = '';
  let token = '';

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-limits-'));
    const config = loadConfig({
      values: {
        listen: '127.0.0.1:0',
        data_dir: dir,
        store: { url: 'sqlite::memory:' },
        access: {
          grant_all_authenticated: true,
          admin_users: ['root'],
          bootstrap_admin_token: false,
        },
        cluster: { scheduler_cmd: ['/bin/sh', '-c', 'exec sleep 300'] },
        limits: { max_body_bytes: 4096, user_requests_per_second: 1, user_request_burst: 5 },
      },
      env: {},
      defaultPythonEnv: path.join(dir, 'no-env'),
    });
    const log = createLogger('debug', {
      format: 'json',
      destination: {
        write(line: string) {
          lines.push(line);
        },
      },
    });
    // A fixed clock: throttled buckets never refill during the test.
    const now = Date.now();
    gateway = await startGateway(config, { log, clock: { now: () => now }, env: process.env });
    const created = await send(gateway.url, 'POST', '/api/v1/clusters/', basic('alice'), '{}');
    assert.equal(created.status, 201, created.body);
    cluster = (JSON.parse(created.body) as { name: string }).name;
    token = gateway.manager.get(cluster)?.token ?? '';
  });

  after(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers 413 with request_id to a body over max_body_bytes', async () => {
    const body = JSON.stringify({ cluster_options: { x: 'a'.repeat(8000) } });
    const r = await send(gateway.url, 'POST', '/api/v1/clusters/', basic('bea'), body);
    assert.equal(r.status, 413);
    const err = JSON.parse(r.body) as { error: string; code: string; request_id: string };
    assert.equal(err.code, 'payload_too_large');
    assert.match(err.error, /limit of 4096 bytes/);
    assert.equal(err.request_id, r.headers['x-request-id']);
  });

  it("accepts a heartbeat with a long-lived adaptive cluster's closed-worker list", async () => {
    // 300,000 workers ever created and closed: about 10 MB, far over max_body_bytes. The cap
    // of a heartbeat follows the workers the gateway created for the cluster (issue 14).
    const closed = Array.from({ length: 300_000 }, (_, i) => i.toString(16).padStart(32, '0'));
    const c = gateway.manager.get(cluster);
    assert.ok(c !== undefined);
    addFinishedWorkers(c, closed);
    const hb = JSON.stringify({
      scheduler_address: 'tls://127.0.0.1:1',
      dashboard_address: '',
      api_address: 'http://127.0.0.1:1',
      count: 0,
      active_workers: [],
      closing_workers: [],
      closed_workers: closed,
    });
    assert.ok(hb.length > 10_000_000);
    const r = await send(
      gateway.url,
      'POST',
      `/api/v1/clusters/${cluster}/heartbeat`,
      { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
      hb
    );
    assert.equal(r.status, 200, r.body);
  });

  it('refuses a heartbeat without its cluster token before reading the body', async () => {
    const s = net.connect({ host: '127.0.0.1', port: gateway.port });
    await once(s, 'connect');
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString('latin1')));
    // Announces 50 MB but sends none of it: the answer must not wait for the body.
    s.write(
      `POST /api/v1/clusters/${cluster}/heartbeat HTTP/1.1\r\nHost: x\r\n` +
        'Authorization: token wrong\r\nContent-Type: application/json\r\n' +
        'Content-Length: 50000000\r\n\r\n'
    );
    while (!text.includes('\r\n\r\n')) await once(s, 'data');
    s.destroy();
    assert.match(text, /^HTTP\/1\.1 401 /);
  });

  it('throttles a user past the burst with 429 and Retry-After', async () => {
    const replies: Reply[] = [];
    for (let i = 0; i < 7; i++) {
      replies.push(await send(gateway.url, 'GET', '/api/v1/clusters/', basic('carol')));
    }
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200, 200, 200, 200, 429, 429]
    );
    const last = replies.at(-1);
    assert.ok(last !== undefined);
    assert.equal(last.headers['retry-after'], '1');
    assert.equal((JSON.parse(last.body) as { code: string }).code, 'too_many_requests');
    // Another user is not affected.
    assert.equal((await send(gateway.url, 'GET', '/api/v1/clusters/', basic('dave'))).status, 200);
  });

  it("never throttles cluster-token requests, even when the owner's bucket is empty", async () => {
    for (let i = 0; i < 6; i++) await send(gateway.url, 'GET', '/api/v1/clusters/', basic('alice'));
    const own = await send(gateway.url, 'GET', '/api/v1/clusters/', basic('alice'));
    assert.equal(own.status, 429);
    const hb = JSON.stringify({
      scheduler_address: 'tls://127.0.0.1:1',
      dashboard_address: '',
      api_address: 'http://127.0.0.1:1',
      count: 0,
      active_workers: [],
      closing_workers: [],
      closed_workers: [],
    });
    for (let i = 0; i < 10; i++) {
      const r = await send(
        gateway.url,
        'POST',
        `/api/v1/clusters/${cluster}/heartbeat`,
        { Authorization: `token ${token}`, 'Content-Type': 'application/json' },
        hb
      );
      assert.equal(r.status, 200, r.body);
    }
  });

  it('echoes a sane X-Request-Id and replaces an unsafe one', async () => {
    const mine = await send(gateway.url, 'GET', '/api/health', { 'X-Request-Id': 'trace-42.a' });
    assert.equal(mine.headers['x-request-id'], 'trace-42.a');
    const bad = await send(gateway.url, 'GET', '/api/health', { 'X-Request-Id': 'a b\u00ff' });
    assert.match(String(bad.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('puts the request id on every log line of a request and redacts credentials', async () => {
    const id = 'log-check-1';
    const r = await send(gateway.url, 'PUT', '/api/v1/admin/grants/erin', {
      Authorization: basic('root').Authorization,
      'X-Request-Id': id,
      Cookie: 'secret-cookie=1',
    });
    assert.equal(r.status, 204);
    const mine = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const ofRequest = mine.filter((l) => l['request_id'] === id);
    assert.ok(ofRequest.some((l) => l['msg'] === 'request'));
    const text = lines.join('');
    assert.ok(!text.includes('cm9vdDpwdw'), 'the Basic credentials reached the log');
    assert.ok(!text.includes('secret-cookie'), 'the cookie reached the log');
    assert.ok(!text.includes(token), 'a cluster token reached the log');
    // The admin decision is in the audit log, and in the log.
    const audit = mine.find(
      (l) => l['module'] === 'audit' && l['action'] === 'grant access' && l['target'] === 'erin'
    );
    assert.equal(audit?.['actor'], 'root');
  });

  it('logs refusals to the audit log', async () => {
    const r = await send(gateway.url, 'GET', '/api/v1/admin/users', basic('frank'));
    assert.equal(r.status, 403);
    const audit = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['module'] === 'audit' && l['actor'] === 'frank');
    assert.equal(audit?.['outcome'], 'refused');
  });
});
