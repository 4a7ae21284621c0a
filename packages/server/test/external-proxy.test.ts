/**
 * Cross-module tests of the proxy run as its own process (`gatehouse proxy`) with a gateway in
 * `proxy.mode: external` behind it: API requests are forwarded, answered with a prompt 503 JSON
 * error while the gateway is down, dashboard routes keep answering meanwhile, a restarted
 * gateway on the same private address serves again and removes routes it does not know.
 * @module
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { startProxy, type ProxyProcess } from '../src/proxy-process.js';
import { GATEWAY_UNAVAILABLE } from '../src/proxy/api-forwarder.js';

const TOKEN = 'external-proxy-token-0123';
const log = pino({ level: 'silent' });
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A port that was free a moment ago: the gateway must come back on the same address. */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const addr = s.address();
  assert.ok(addr !== null && typeof addr !== 'string');
  await new Promise((resolve) => s.close(resolve));
  return addr.port;
}

function get(
  url: string
): Promise<{ status: number; body: string; ms: number; headers: http.IncomingHttpHeaders }> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body, ms: Date.now() - t0, headers: res.headers });
        });
      })
      .on('error', reject);
  });
}

describe('gatehouse proxy with an external-mode gateway', () => {
  let dataDir = '';
  let proxy: ProxyProcess;
  let gateway: Gateway | null = null;
  let apiPort = 0;
  let dashboard: http.Server;
  let dashboardPort = 0;

  const values = (extra: Record<string, unknown> = {}) => ({
    listen: '127.0.0.1:0',
    store: { url: 'sqlite::memory:' },
    stop_clusters_on_shutdown: true,
    data_dir: dataDir,
    access: { grant_all_authenticated: true, bootstrap_admin_token: false },
    ...extra,
  });
  const gatewayConfig = (start_timeout = 30) =>
    loadConfig({
      values: values({
        proxy: {
          mode: 'external',
          api_listen: `127.0.0.1:${String(apiPort)}`,
          control_url: proxy.controlUrl,
          token: TOKEN,
          sync_period: 0.2,
          start_timeout,
        },
      }),
      env: {},
      defaultPythonEnv: path.join(repoRoot, '.venv'),
    });

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-xproxy-'));
    apiPort = await freePort();
    const tokenFile = path.join(dataDir, 'proxy.token');
    writeFileSync(tokenFile, `${TOKEN}\n`);
    const proxyConfig = loadConfig({
      values: values({
        proxy: {
          api_listen: `127.0.0.1:${String(apiPort)}`,
          control_listen: '127.0.0.1:0',
          token_file: tokenFile,
        },
      }),
      env: {},
      defaultPythonEnv: path.join(repoRoot, '.venv'),
    });
    proxy = await startProxy(proxyConfig, {
      log: pino({ level: process.env['XP_DEBUG'] ?? 'silent' }),
    });
    // Stands in for a scheduler's dashboard (a real one is in python/tests/test_external_proxy.py).
    dashboard = http.createServer((req, res) => {
      res.end(`dashboard saw ${req.url ?? ''}`);
    });
    await new Promise<void>((resolve) => dashboard.listen(0, '127.0.0.1', resolve));
    const addr = dashboard.address();
    assert.ok(addr !== null && typeof addr !== 'string');
    dashboardPort = addr.port;
  });
  after(async () => {
    await gateway?.stop();
    await proxy.stop();
    dashboard.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers API requests with a prompt 503 JSON error while no gateway is up', async () => {
    const r = await get(`${proxy.url}/api/health`);
    assert.equal(r.status, 503);
    assert.deepEqual(JSON.parse(r.body), {
      error: GATEWAY_UNAVAILABLE,
      code: 'gateway_unavailable',
      request_id: r.headers['x-request-id'],
    });
    assert.ok(r.ms < 5000, `took ${String(r.ms)} ms`);
  });

  it('a starting gateway takes the public URL from the proxy and removes stale routes', async () => {
    proxy.routes.setSni('stopped-meanwhile', '127.0.0.1:1');
    proxy.routes.setPath('/clusters/stopped-meanwhile', 'http://127.0.0.1:1/');
    gateway = await startGateway(gatewayConfig(), { log, env: process.env });
    assert.equal(gateway.url, proxy.url);
    assert.deepEqual(proxy.routes.list(), []);
    const r = await get(`${proxy.url}/api/health`);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { status: 'pass' });
  });

  it('keeps dashboard routes while the gateway is down, and serves again after a restart', async () => {
    await gateway?.stop();
    gateway = null;
    // Set while no gateway runs (a running one would remove it as stale at its next pass).
    proxy.routes.setPath(
      '/clusters/kept',
      `http://127.0.0.1:${String(dashboardPort)}/clusters/kept`
    );
    const down = await get(`${proxy.url}/api/v1/clusters/`);
    assert.equal(down.status, 503);
    assert.equal((JSON.parse(down.body) as { code: string }).code, 'gateway_unavailable');
    // The route is kept, but dashboards are behind login and nobody checked this visitor while
    // the gateway was up: a prompt 503, never a hang or an open door. (A visitor the gateway
    // allowed before keeps the dashboard through a restart: python/tests/test_external_proxy.py.)
    assert.ok(proxy.routes.list().some((r) => JSON.stringify(r).includes('/clusters/kept')));
    const dash = await get(`${proxy.url}/clusters/kept/status`);
    assert.equal(dash.status, 503, dash.body);
    assert.equal((JSON.parse(dash.body) as { code: string }).code, 'gateway_unavailable');

    gateway = await startGateway(gatewayConfig(), { log, env: process.env });
    const again = await get(`${proxy.url}/api/health`);
    assert.equal(again.status, 200, again.body);
    // The restarted gateway runs no cluster "kept": its route is stale and goes.
    assert.deepEqual(proxy.routes.list(), []);
  });

  it('a gateway whose proxy never answers fails to start with a clear message', async () => {
    const config = loadConfig({
      values: values({
        proxy: {
          mode: 'external',
          api_listen: '127.0.0.1:0',
          control_url: 'http://127.0.0.1:1',
          token: TOKEN,
          start_timeout: 0.5,
        },
      }),
      env: {},
      defaultPythonEnv: path.join(repoRoot, '.venv'),
    });
    await assert.rejects(
      startGateway(config, { log, env: process.env }),
      /the proxy's control API at http:\/\/127\.0\.0\.1:1 did not answer within 0\.5 s/
    );
  });

  it('mode external and `gatehouse proxy` need the token', async () => {
    assert.throws(
      () =>
        loadConfig({
          values: values({ proxy: { mode: 'external' } }),
          env: {},
          defaultPythonEnv: '/x',
        }),
      (err: unknown) =>
        err instanceof ConfigError && /proxy\.token: mode external needs/.test(err.message)
    );
    assert.throws(
      () =>
        loadConfig({
          values: values({ proxy: { token: 'short' } }),
          env: {},
          defaultPythonEnv: '/x',
        }),
      /proxy\.token/
    );
    await assert.rejects(
      startProxy(loadConfig({ values: values(), env: {}, defaultPythonEnv: '/x' }), { log }),
      /`gatehouse proxy` needs the control API token/
    );
    const fromEnv = loadConfig({
      values: values({ proxy: { mode: 'external' } }),
      env: { GATEHOUSE_PROXY_TOKEN: TOKEN },
      defaultPythonEnv: '/x',
    });
    assert.equal(fromEnv.proxy.token, TOKEN);
  });
});

/** Sends a raw HTTP request; resolves with the whole answer (the server closes after it). */
function rawRequest(url: string, head: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), hostname, () => s.write(head));
    let out = '';
    s.setEncoding('utf8');
    s.on('data', (c: string) => (out += c));
    s.on('end', () => {
      resolve(out);
    });
    s.on('error', reject);
  });
}

describe('gatehouse proxy builds its public port as `gatehouse serve` does', () => {
  let dataDir = '';
  const proxies: ProxyProcess[] = [];
  const start = async (extra: Record<string, unknown>, lines: string[]) => {
    const config = loadConfig({
      values: {
        listen: '127.0.0.1:0',
        store: { url: 'sqlite::memory:' },
        data_dir: dataDir,
        proxy: { api_listen: '127.0.0.1:1', control_listen: '127.0.0.1:0', token: TOKEN },
        ...extra,
      },
      env: {},
      defaultPythonEnv: path.join(repoRoot, '.venv'),
    });
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(
          ...chunk
            .toString('utf8')
            .split('\n')
            .filter((l) => l !== '')
        );
        done();
      },
    });
    const p = await startProxy(config, { logDestination: destination, isTty: false });
    proxies.push(p);
    return p;
  };
  before(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-xproxy-limits-'));
  });
  after(async () => {
    for (const p of proxies) await p.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('enforces limits.max_header_bytes and counts the refusal in its metrics', async () => {
    const lines: string[] = [];
    const proxy = await start({ limits: { max_header_bytes: 2048 } }, lines);
    const small = await rawRequest(
      proxy.url,
      'GET /api/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
    );
    // Positive control: a small head passes the limit (and meets the absent gateway: 503).
    assert.match(small, /^HTTP\/1\.1 503 /);
    const big = await rawRequest(
      proxy.url,
      `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\nConnection: close\r\n\r\n`
    );
    assert.match(big, /^HTTP\/1\.1 431 /);
    const metrics = await fetch(`${proxy.controlUrl}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    assert.match(text, /gatehouse_refusals_total\{reason="header_too_large"\} 1/);
    assert.match(text, /gatehouse_proxy_connections_total\{kind="scheduler"\} 0/);
    const unauthorized = await fetch(`${proxy.controlUrl}/metrics`);
    assert.equal(unauthorized.status, 401);
  });

  it('logs in the configured log.format', async () => {
    const json: string[] = [];
    await start({ log: { format: 'json' } }, json);
    const ready = json
      .map((l) => JSON.parse(l) as { event?: string })
      .find((l) => l.event === 'ready');
    assert.ok(ready !== undefined, json.join('\n'));
    const pretty: string[] = [];
    await start({ log: { format: 'pretty' } }, pretty);
    assert.ok(pretty.length > 0);
    assert.ok(
      pretty.some((l) => l.includes('Gatehouse proxy listening on')),
      pretty.join('\n')
    );
    assert.throws(() => JSON.parse(pretty[0] ?? '') as unknown, 'pretty lines are not JSON');
  });
});
