/**
 * Cross-module tests of the public port (spec §7): the SNI router splicing scheduler TLS, plain
 * HTTP reaching the API, dashboards reverse-proxied by path (WebSockets included), the URL
 * prefix, and resilience against garbage, truncated and slow clients.
 * @module
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { pino } from 'pino';
import { nodeClientHello } from '../src/proxy/fixtures/capture-hellos.js';
import {
  createPublicServer,
  isLongLived,
  type HttpLimits,
  type PublicServer,
} from '../src/proxy/public-server.js';
import type { DashboardAuthorizer } from '../src/proxy/ports.js';
import { RouteTable } from '../src/proxy/route-table.js';
import type { SniRouterLimits } from '../src/proxy/sni-router.js';
import { createClusterTls, type ClusterTls } from '../src/tls/certs.js';

const log = pino({ level: 'silent' });

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** Things to close after the current suite, most recent first. */
const cleanups: Array<() => Promise<void> | void> = [];

async function runCleanups(): Promise<void> {
  for (const fn of cleanups.splice(0).reverse()) await fn();
}

interface Gateway {
  readonly server: PublicServer;
  readonly routes: RouteTable;
  readonly port: number;
  /** URLs the API handler saw, in order. */
  readonly apiUrls: string[];
}

/** Lets every dashboard request through: the proxy alone is under test in most cases here. */
const openDashboards: DashboardAuthorizer = () => Promise.resolve({ allow: true });

/** Starts a public server on 127.0.0.1:0 whose API handler echoes the URL it saw. */
async function startGateway(
  opts: {
    prefix?: string;
    limits?: SniRouterLimits;
    httpLimits?: HttpLimits;
    authorizeDashboard?: DashboardAuthorizer;
  } = {}
): Promise<Gateway> {
  const routes = new RouteTable();
  const server = createPublicServer({
    routes,
    log,
    prefix: opts.prefix ?? '',
    authorizeDashboard: opts.authorizeDashboard ?? openDashboards,
    ...(opts.limits === undefined ? {} : { limits: opts.limits }),
    ...(opts.httpLimits === undefined ? {} : { httpLimits: opts.httpLimits }),
  });
  const apiUrls: string[] = [];
  server.setApiHandler((req, res) => {
    apiUrls.push(req.url ?? '');
    const answer = () => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ api: true, url: req.url, method: req.method }));
    };
    // `/slow…` URLs answer after a second (long polls and stalled handlers).
    if ((req.url ?? '').startsWith('/slow')) setTimeout(answer, 1000);
    else answer();
  });
  const addr = await server.listen('127.0.0.1', 0);
  assert.equal(addr.host, '127.0.0.1');
  assert.ok(addr.port > 0);
  cleanups.push(() => server.close());
  return { server, routes, port: addr.port, apiUrls };
}

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One HTTP request on a fresh connection. */
function request(
  port: number,
  path: string,
  opts: { method?: string; headers?: http.OutgoingHttpHeaders; body?: string } = {}
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: opts.method ?? 'GET',
        headers: opts.headers ?? {},
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
        res.on('error', reject);
      }
    );
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error(`request to ${path} timed out`)));
    req.end(opts.body);
  });
}

/** Starts a server on 127.0.0.1:0 and registers it for cleanup; returns its port. */
async function listen(server: net.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address();
  assert.ok(addr !== null && typeof addr !== 'string');
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        if (server instanceof http.Server) server.closeAllConnections();
      })
  );
  return addr.port;
}

/** A port nothing listens on (bound then released). */
async function deadPort(): Promise<number> {
  const s = net.createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const addr = s.address();
  assert.ok(addr !== null && typeof addr !== 'string');
  await new Promise<void>((resolve) =>
    s.close(() => {
      resolve();
    })
  );
  return addr.port;
}

/** Resolves with whether `socket` closes within `ms` (errors on the way are expected). */
async function closesWithin(socket: net.Socket, ms: number): Promise<boolean> {
  if (socket.closed) return true;
  socket.on('error', () => undefined);
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Opens a raw TCP connection to `port` (closing on the server's EOF unless `allowHalfOpen`). */
async function rawConnect(port: number, allowHalfOpen = false): Promise<net.Socket> {
  const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen });
  s.on('error', () => {
    // resets are expected in these tests; 'close' follows
  });
  await once(s, 'connect');
  cleanups.push(() => {
    s.destroy();
  });
  return s;
}

/** Collects everything `socket` sends until it ends or closes. */
function collect(socket: net.Socket): { text: () => string; ended: Promise<void> } {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve) => {
    socket.once('end', resolve);
    socket.once('close', resolve);
  });
  return { text: () => Buffer.concat(chunks).toString('latin1'), ended };
}

/** A raw HTTP/1.1 GET on an existing socket; resolves with the status line. */
async function rawHttpGet(socket: net.Socket, path: string): Promise<string> {
  const got = collect(socket);
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  await got.ended;
  return got.text().split('\r\n')[0] ?? '';
}

/** The expected Sec-WebSocket-Accept for a key (RFC 6455 §4.2.2). */
function wsAccept(key: string): string {
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

// ---------------------------------------------------------------------------------------------
// (a) Plain HTTP reaches the API handler
// ---------------------------------------------------------------------------------------------

describe('public server: plain HTTP', () => {
  after(runCleanups);

  it('answers 503 until an API handler is installed', async () => {
    const routes = new RouteTable();
    const server = createPublicServer({
      authorizeDashboard: openDashboards,
      routes,
      log,
      prefix: '',
    });
    const { port } = await server.listen('127.0.0.1', 0);
    cleanups.push(() => server.close());
    const r = await request(port, '/api/health');
    assert.equal(r.status, 503);
    // The request's id is in the body and the X-Request-Id header, as in every error answer.
    assert.deepEqual(JSON.parse(r.body), {
      error: 'The gateway is starting; try again shortly',
      code: 'gateway_unavailable',
      request_id: r.headers['x-request-id'],
    });
  });

  it('hands plain HTTP requests to the API handler with the path unchanged', async () => {
    const gw = await startGateway();
    const r = await request(gw.port, '/api/v1/clusters/?status=RUNNING');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), {
      api: true,
      url: '/api/v1/clusters/?status=RUNNING',
      method: 'GET',
    });
  });

  it('passes request bodies through', async () => {
    const gw = await startGateway();
    let seen = '';
    gw.server.setApiHandler((req, res) => {
      req.setEncoding('utf8');
      req.on('data', (c: string) => (seen += c));
      req.on('end', () => res.end('ok'));
    });
    const body = JSON.stringify({ cluster_options: { x: 'y'.repeat(100_000) } });
    const r = await request(gw.port, '/api/v1/clusters/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    assert.equal(r.status, 200);
    assert.equal(seen, body);
  });

  it('serves several requests on one keep-alive connection', async () => {
    const gw = await startGateway();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => {
      agent.destroy();
    });
    const sockets = new Set<net.Socket>();
    for (const path of ['/a', '/b', '/c']) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: gw.port, path, agent }, (res) => {
          res.resume();
          res.on('end', () => {
            resolve(res.statusCode ?? 0);
          });
        });
        req.on('socket', (s: net.Socket) => sockets.add(s));
        req.on('error', reject);
      });
      assert.equal(status, 200);
    }
    assert.deepEqual(gw.apiUrls, ['/a', '/b', '/c']);
    assert.equal(sockets.size, 1, 'one connection carried all three');
  });

  it('setApiHandler replaces the handler', async () => {
    const gw = await startGateway();
    gw.server.setApiHandler((_req, res) => {
      res.writeHead(418);
      res.end();
    });
    assert.equal((await request(gw.port, '/')).status, 418);
  });

  it('exposes the HTTP server the API framework attaches to', async () => {
    const gw = await startGateway();
    assert.ok(gw.server.httpServer instanceof http.Server);
  });
});

// ---------------------------------------------------------------------------------------------
// (b) TLS splicing by SNI, and (c) unknown SNI
// ---------------------------------------------------------------------------------------------

describe('public server: scheduler TLS spliced by SNI', () => {
  let material: ClusterTls;
  before(async () => {
    material = await createClusterTls('abc');
  });
  after(runCleanups);

  /** A TLS echo server standing in for a scheduler; after the client's EOF it says bye. */
  async function startScheduler(): Promise<{ port: number; secure: tls.TLSSocket[] }> {
    const secure: tls.TLSSocket[] = [];
    const server = tls.createServer(
      { cert: material.cert, key: material.key, allowHalfOpen: true },
      (s) => {
        secure.push(s);
        s.on('data', (d: Buffer) => s.write(d));
        s.on('end', () => {
          s.end('bye');
        });
        s.on('error', () => undefined);
      }
    );
    return { port: await listen(server), secure };
  }

  function connectTls(port: number, servername: string): tls.TLSSocket {
    const s = tls.connect({
      host: '127.0.0.1',
      port,
      servername,
      ca: material.cert,
      checkServerIdentity: () => undefined,
    });
    cleanups.push(() => {
      s.destroy();
    });
    return s;
  }

  it('splices daskgateway-<name> to the scheduler, undecrypted, and echoes both ways', async () => {
    const gw = await startGateway();
    const sched = await startScheduler();
    gw.routes.setSni('abc', `tls://127.0.0.1:${String(sched.port)}`);
    const client = connectTls(gw.port, 'daskgateway-abc');
    await once(client, 'secureConnect');
    // The certificate is the scheduler's own: the gateway never terminated TLS.
    assert.equal(client.authorized, true);
    assert.equal(client.getPeerX509Certificate()?.toString(), material.cert);

    const got = collect(client);
    client.write('hello ');
    client.write(Buffer.alloc(200_000, 'x'));
    client.write(' world');
    const want = `hello ${'x'.repeat(200_000)} world`;
    while (got.text().length < want.length) await once(client, 'data');
    assert.equal(got.text(), want);
    assert.equal(sched.secure.length, 1, 'the scheduler terminated the TLS session');
    assert.equal(gw.apiUrls.length, 0);
  });

  it('keeps an established scheduler connection open past the HTTP idle timeout', async () => {
    const gw = await startGateway({ httpLimits: { idleTimeoutMs: 200 } });
    const sched = await startScheduler();
    gw.routes.setSni('abc', `tls://127.0.0.1:${String(sched.port)}`);
    const client = connectTls(gw.port, 'daskgateway-abc');
    await once(client, 'secureConnect');
    await sleep(800);
    const got = collect(client);
    client.write('still here');
    while (got.text() !== 'still here') await once(client, 'data');
    assert.equal(client.destroyed, false);
  });

  it('propagates a TLS half-close: the scheduler can still answer after the client EOF', async () => {
    const gw = await startGateway();
    const sched = await startScheduler();
    gw.routes.setSni('abc', `127.0.0.1:${String(sched.port)}`);
    const client = connectTls(gw.port, 'daskgateway-abc');
    await once(client, 'secureConnect');
    const got = collect(client);
    client.write('ping');
    while (got.text().length < 4) await once(client, 'data');
    client.end();
    await got.ended;
    assert.equal(got.text(), 'pingbye');
  });

  it('propagates half-close in both directions at the TCP level', async () => {
    const gw = await startGateway();
    const hello = Buffer.from(await nodeClientHello('daskgateway-raw'));
    let upstream: net.Socket | undefined;
    const received: Buffer[] = [];
    const upstreamEnded = deferred();
    const server = net.createServer({ allowHalfOpen: true }, (s) => {
      upstream = s;
      s.on('data', (d: Buffer) => received.push(d));
      s.on('end', () => {
        upstreamEnded.resolve();
      });
    });
    const port = await listen(server);
    gw.routes.setSni('raw', `tls://127.0.0.1:${String(port)}`);

    const client = await rawConnect(gw.port, true);
    const got = collect(client);
    client.write(hello);
    client.write('after-hello');
    client.end();
    await upstreamEnded.promise;
    // The scheduler got the hello byte for byte, then the rest, then EOF.
    assert.deepEqual(Buffer.concat(received), Buffer.concat([hello, Buffer.from('after-hello')]));
    assert.ok(upstream !== undefined);
    // Its write side is still open: it can answer after the client's EOF.
    upstream.write('late reply');
    upstream.end();
    await got.ended;
    assert.equal(got.text(), 'late reply');
  });

  it('delivers a hello that arrives one byte at a time', async () => {
    const gw = await startGateway();
    const hello = Buffer.from(await nodeClientHello('daskgateway-slow'));
    const received: Buffer[] = [];
    const done = deferred();
    const server = net.createServer((s) => {
      s.on('data', (d: Buffer) => {
        received.push(d);
        if (Buffer.concat(received).length >= hello.length) done.resolve();
      });
    });
    const port = await listen(server);
    gw.routes.setSni('slow', `127.0.0.1:${String(port)}`);
    const client = await rawConnect(gw.port);
    client.setNoDelay(true);
    for (const byte of hello) {
      client.write(Buffer.of(byte));
      await sleep(0);
    }
    await done.promise;
    assert.deepEqual(Buffer.concat(received), hello);
  });

  it('closes a connection whose SNI has no route', async () => {
    const gw = await startGateway();
    const sched = await startScheduler();
    gw.routes.setSni('abc', `tls://127.0.0.1:${String(sched.port)}`);
    const client = connectTls(gw.port, 'daskgateway-zzz');
    let secured = false;
    client.on('secureConnect', () => (secured = true));
    client.on('error', () => undefined);
    assert.equal(await closesWithin(client, 3000), true);
    assert.equal(secured, false);
    assert.equal(sched.secure.length, 0);
  });

  it('closes a TLS connection whose SNI lacks the daskgateway- prefix', async () => {
    const gw = await startGateway();
    const sched = await startScheduler();
    gw.routes.setSni('abc', `tls://127.0.0.1:${String(sched.port)}`);
    for (const servername of ['abc', 'example.com', 'DASKGATEWAY-abc']) {
      const client = connectTls(gw.port, servername);
      client.on('error', () => undefined);
      assert.equal(await closesWithin(client, 3000), true, servername);
    }
    assert.equal(sched.secure.length, 0);
  });

  it('closes a TLS connection without SNI (IP-literal client)', async () => {
    const gw = await startGateway();
    const client = tls.connect({ host: '127.0.0.1', port: gw.port, rejectUnauthorized: false });
    cleanups.push(() => {
      client.destroy();
    });
    client.on('error', () => undefined);
    assert.equal(await closesWithin(client, 3000), true);
  });

  it('closes the client when the scheduler refuses the connection', async () => {
    const gw = await startGateway();
    gw.routes.setSni('gone', `tls://127.0.0.1:${String(await deadPort())}`);
    const client = connectTls(gw.port, 'daskgateway-gone');
    client.on('error', () => undefined);
    assert.equal(await closesWithin(client, 3000), true);
    // The gateway itself is fine.
    assert.equal((await request(gw.port, '/api/health')).status, 200);
  });

  it('closes the client when the scheduler hangs up mid-stream', async () => {
    const gw = await startGateway();
    const server = net.createServer((s) => {
      s.once('data', () => {
        s.destroy();
      });
    });
    const port = await listen(server);
    gw.routes.setSni('flaky', `127.0.0.1:${String(port)}`);
    const client = await rawConnect(gw.port);
    client.write(Buffer.from(await nodeClientHello('daskgateway-flaky')));
    assert.equal(await closesWithin(client, 3000), true);
  });

  it('follows route changes for new connections', async () => {
    const gw = await startGateway();
    const sched = await startScheduler();
    gw.routes.setSni('abc', `tls://127.0.0.1:${String(sched.port)}`);
    const first = connectTls(gw.port, 'daskgateway-abc');
    await once(first, 'secureConnect');
    gw.routes.removeSni('abc');
    const second = connectTls(gw.port, 'daskgateway-abc');
    second.on('error', () => undefined);
    assert.equal(await closesWithin(second, 3000), true);
    // The established connection is unaffected.
    const got = collect(first);
    first.write('still here');
    while (got.text().length < 10) await once(first, 'data');
    assert.equal(got.text(), 'still here');
  });
});

// ---------------------------------------------------------------------------------------------
// (d) Garbage, truncated and slow clients
// ---------------------------------------------------------------------------------------------

describe('public server: hostile first bytes', () => {
  after(runCleanups);

  const limits = { helloTimeoutMs: 200 };

  it('closes a connection whose first TLS record is not a ClientHello', async () => {
    const gw = await startGateway({ limits });
    const client = await rawConnect(gw.port);
    // A complete handshake record of type 0x02 (ServerHello) with junk.
    client.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x02, 0x00, 0x00, 0x01, 0xff]));
    assert.equal(await closesWithin(client, 1000), true);
    assert.equal((await request(gw.port, '/after')).status, 200);
  });

  it('closes a record announcing more than 16 KiB', async () => {
    const gw = await startGateway({ limits });
    const client = await rawConnect(gw.port);
    client.write(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0x01]));
    assert.equal(await closesWithin(client, 1000), true);
  });

  it('closes a connection that sends a full 16 KiB of garbage handshake', async () => {
    const gw = await startGateway({ limits: { helloTimeoutMs: 5000 } });
    const client = await rawConnect(gw.port);
    const junk = Buffer.alloc(5 + 16384, 0xaa);
    junk.set([0x16, 0x03, 0x01, 0x40, 0x00], 0);
    client.write(junk);
    client.write(Buffer.alloc(10_000, 0xbb));
    assert.equal(await closesWithin(client, 2000), true);
  });

  it('closes a truncated hello when the client hangs up', async () => {
    const gw = await startGateway({ limits: { helloTimeoutMs: 5000 } });
    const hello = Buffer.from(await nodeClientHello('daskgateway-abc'));
    const client = await rawConnect(gw.port);
    client.write(hello.subarray(0, 40));
    client.end();
    assert.equal(await closesWithin(client, 2000), true);
  });

  it('closes a slow client after helloTimeoutMs', async () => {
    const gw = await startGateway({ limits });
    const hello = Buffer.from(await nodeClientHello('daskgateway-abc'));
    const client = await rawConnect(gw.port);
    const started = Date.now();
    client.write(hello.subarray(0, 10));
    assert.equal(await closesWithin(client, 2000), true);
    assert.ok(Date.now() - started >= 150, 'not before the timeout');
  });

  it('closes a silent client after helloTimeoutMs', async () => {
    const gw = await startGateway({ limits });
    const client = await rawConnect(gw.port);
    assert.equal(await closesWithin(client, 2000), true);
  });

  it('closes a client that resets mid-hello without crashing', async () => {
    const gw = await startGateway({ limits: { helloTimeoutMs: 5000 } });
    const client = await rawConnect(gw.port);
    client.write(Buffer.from([0x16, 0x03]));
    await sleep(20);
    client.resetAndDestroy();
    await sleep(50);
    assert.equal((await request(gw.port, '/after-reset')).status, 200);
  });

  it('answers non-TLS garbage with 400 from the HTTP server', async () => {
    const gw = await startGateway({ limits });
    const client = await rawConnect(gw.port);
    const got = collect(client);
    client.write('\x00\x01\x02 not http at all\r\n\r\n');
    await got.ended;
    assert.match(got.text(), /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.equal(gw.apiUrls.length, 0);
  });

  it('a plain HTTP request split into tiny pieces still reaches the API', async () => {
    const gw = await startGateway({ limits });
    const client = await rawConnect(gw.port);
    client.setNoDelay(true);
    const got = collect(client);
    for (const ch of 'GET /split HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n') {
      client.write(ch);
      await sleep(1);
    }
    await got.ended;
    assert.match(got.text(), /^HTTP\/1\.1 200 OK\r\n/);
    assert.deepEqual(gw.apiUrls, ['/split']);
  });

  it('closes the oldest waiting connection beyond maxPendingHellos, and recovers', async () => {
    const gw = await startGateway({ limits: { helloTimeoutMs: 300, maxPendingHellos: 2 } });
    const a = await rawConnect(gw.port);
    const b = await rawConnect(gw.port);
    await sleep(20);
    const c = await rawConnect(gw.port);
    assert.equal(await closesWithin(a, 200), true, 'the oldest waiting client is closed');
    assert.equal(await closesWithin(b, 1000), true);
    assert.equal(await closesWithin(c, 1000), true);
    const d = await rawConnect(gw.port);
    assert.match(await rawHttpGet(d, '/recovered'), /^HTTP\/1\.1 200 /);
  });

  it('serves normal requests after a burst of bad clients', async () => {
    const gw = await startGateway({ limits });
    const hello = Buffer.from(await nodeClientHello('daskgateway-abc'));
    const bad: Array<Promise<boolean>> = [];
    for (let i = 0; i < 20; i++) {
      const s = await rawConnect(gw.port);
      if (i % 4 === 0) s.write(hello.subarray(0, 1 + i));
      else if (i % 4 === 1) s.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x01, 0x01]));
      else if (i % 4 === 2) s.end(hello.subarray(0, 7));
      else s.destroy();
      bad.push(closesWithin(s, 2000));
    }
    assert.equal((await request(gw.port, '/api/health')).status, 200);
    assert.ok((await Promise.all(bad)).every(Boolean));
    assert.equal((await request(gw.port, '/api/health')).status, 200);
  });
});

// ---------------------------------------------------------------------------------------------
// (e) Dashboards proxied by path
// ---------------------------------------------------------------------------------------------

interface Dashboard {
  readonly port: number;
  readonly seen: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
  readonly upgrades: Array<{ url: string; headers: http.IncomingHttpHeaders }>;
}

/** A stand-in dashboard: answers with the URL it saw, and speaks a minimal WS handshake. */
async function startDashboard(): Promise<Dashboard> {
  const seen: Dashboard['seen'] = [];
  const upgrades: Dashboard['upgrades'] = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Dashboard': 'yes' });
    res.end(`dashboard ${req.url ?? ''}`);
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    upgrades.push({ url: req.url ?? '', headers: req.headers });
    const key = req.headers['sec-websocket-key'];
    socket.write(
      [
        'HTTP/1.1 101 Switching Protocols',
        'Upgrade: websocket',
        'Connection: Upgrade',
        `Sec-WebSocket-Accept: ${wsAccept(typeof key === 'string' ? key : '')}`,
        '',
        '',
      ].join('\r\n')
    );
    // After the handshake, echo raw bytes upper-cased (no WS framing needed for the test).
    if (head.length > 0) socket.write(head.toString('latin1').toUpperCase());
    socket.on('data', (d: Buffer) => socket.write(d.toString('latin1').toUpperCase()));
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
    upgraded.add(socket);
  });
  // Upgraded sockets leave the HTTP server's books: close them ourselves (runs before close).
  const upgraded = new Set<net.Socket>();
  const port = await listen(server);
  cleanups.push(() => {
    for (const s of upgraded) s.destroy();
  });
  return { port, seen, upgrades };
}

/** Sends a WebSocket upgrade request; resolves with the 101 response and its socket. */
function upgrade(
  port: number,
  path: string
): Promise<{ res: http.IncomingMessage; socket: net.Socket; head: Buffer; key: string }> {
  const key = Buffer.from('0123456789abcdef').toString('base64');
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      agent: false,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': key,
        'Sec-WebSocket-Version': '13',
      },
    });
    req.on('upgrade', (res: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      cleanups.push(() => {
        socket.destroy();
      });
      resolve({ res, socket, head, key });
    });
    req.on('response', (res: http.IncomingMessage) => {
      res.resume();
      reject(new Error(`expected an upgrade, got ${String(res.statusCode)}`));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('public server: dashboards', () => {
  after(runCleanups);

  it('forwards /clusters/x/status?a=1 to <target>/status with the query kept', async () => {
    const gw = await startGateway();
    const dash = await startDashboard();
    gw.routes.setPath('/clusters/x', `http://127.0.0.1:${String(dash.port)}/clusters/x`);
    const r = await request(gw.port, '/clusters/x/status?a=1');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'dashboard /clusters/x/status?a=1');
    assert.equal(r.headers['x-dashboard'], 'yes');
    assert.deepEqual(
      dash.seen.map((s) => s.url),
      ['/clusters/x/status?a=1']
    );
    assert.equal(gw.apiUrls.length, 0, 'the API handler never saw it');
  });

  it('forwards the route root as / under a target without a path', async () => {
    const gw = await startGateway();
    const dash = await startDashboard();
    gw.routes.setPath('/clusters/x', `http://127.0.0.1:${String(dash.port)}`);
    await request(gw.port, '/clusters/x');
    await request(gw.port, '/clusters/x/individual-plots.json');
    assert.deepEqual(
      dash.seen.map((s) => s.url),
      ['/', '/individual-plots.json']
    );
  });

  it('adds X-Forwarded-For', async () => {
    const gw = await startGateway();
    const dash = await startDashboard();
    gw.routes.setPath('/clusters/x', `http://127.0.0.1:${String(dash.port)}`);
    await request(gw.port, '/clusters/x/status');
    assert.match(String(dash.seen[0]?.headers['x-forwarded-for']), /127\.0\.0\.1/);
  });

  it('rewrites Host to the target host and port (spec §7.3)', async () => {
    const gw = await startGateway();
    const dash = await startDashboard();
    gw.routes.setPath('/clusters/x', `http://127.0.0.1:${String(dash.port)}`);
    await request(gw.port, '/clusters/x/status');
    assert.equal(dash.seen[0]?.headers.host, `127.0.0.1:${String(dash.port)}`);
  });

  it('leaves other paths to the API', async () => {
    const gw = await startGateway();
    const dash = await startDashboard();
    gw.routes.setPath('/clusters/x', `http://127.0.0.1:${String(dash.port)}`);
    const r = await request(gw.port, '/clusters/xy/status');
    assert.equal(r.status, 200);
    assert.deepEqual(gw.apiUrls, ['/clusters/xy/status']);
    assert.equal(dash.seen.length, 0);
  });

  it('a root route in the table never captures API traffic', async () => {
    const gw = await startGateway();
    const dash = await startDashboard();
    gw.routes.setPath('/', `http://127.0.0.1:${String(dash.port)}`);
    await request(gw.port, '/api/health');
    assert.deepEqual(gw.apiUrls, ['/api/health']);
    assert.equal(dash.seen.length, 0);
  });

  it('answers 502 with an empty body when the dashboard is down', async () => {
    const gw = await startGateway();
    gw.routes.setPath('/clusters/x', `http://127.0.0.1:${String(await deadPort())}`);
    const r = await request(gw.port, '/clusters/x/status');
    assert.equal(r.status, 502);
    assert.equal(r.body, '');
    assert.equal((await request(gw.port, '/api/health')).status, 200, 'the gateway survives');
  });

  it('proxies a WebSocket upgrade on a dashboard route', async () => {
    const gw = await startGateway();
    const dash = await startDashboard();
    gw.routes.setPath('/clusters/x', `http://127.0.0.1:${String(dash.port)}/clusters/x`);
    const { res, socket, head, key } = await upgrade(gw.port, '/clusters/x/status/ws?id=1');
    assert.equal(res.statusCode, 101);
    assert.equal(res.headers['sec-websocket-accept'], wsAccept(key));
    assert.deepEqual(
      dash.upgrades.map((u) => u.url),
      ['/clusters/x/status/ws?id=1']
    );
    assert.equal(dash.upgrades[0]?.headers.upgrade, 'websocket');
    const got: Buffer[] = [head];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.write('ping over ws');
    while (Buffer.concat(got).toString() !== 'PING OVER WS') await once(socket, 'data');
    assert.equal(gw.apiUrls.length, 0);
  });

  it('keeps a dashboard WebSocket open past the HTTP idle timeout', async () => {
    const gw = await startGateway({ httpLimits: { idleTimeoutMs: 200 } });
    const dash = await startDashboard();
    gw.routes.setPath('/clusters/x', `http://127.0.0.1:${String(dash.port)}/clusters/x`);
    const { socket, head } = await upgrade(gw.port, '/clusters/x/status/ws');
    await sleep(800);
    const got: Buffer[] = [head];
    socket.on('data', (d: Buffer) => got.push(d));
    socket.write('late ping');
    while (Buffer.concat(got).toString() !== 'LATE PING') await once(socket, 'data');
  });

  it('refuses an upgrade outside dashboard routes', async () => {
    const gw = await startGateway();
    const client = await rawConnect(gw.port);
    const got = collect(client);
    client.write(
      'GET /api/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\nSec-WebSocket-Version: 13\r\n\r\n'
    );
    await got.ended;
    assert.doesNotMatch(got.text(), /^HTTP\/1\.1 101/);
    assert.equal((await request(gw.port, '/api/health')).status, 200);
  });

  it('closes the client socket when the WebSocket target is down', async () => {
    const gw = await startGateway();
    gw.routes.setPath('/clusters/x', `http://127.0.0.1:${String(await deadPort())}`);
    const client = await rawConnect(gw.port);
    const got = collect(client);
    client.write(
      'GET /clusters/x/status/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n' +
        'Upgrade: websocket\r\nSec-WebSocket-Key: MDEyMzQ1Njc4OWFiY2RlZg==\r\n' +
        'Sec-WebSocket-Version: 13\r\n\r\n'
    );
    await got.ended;
    assert.doesNotMatch(got.text(), /^HTTP\/1\.1 101/);
    assert.equal((await request(gw.port, '/api/health')).status, 200);
  });
});

// ---------------------------------------------------------------------------------------------
// (f) The URL prefix
// ---------------------------------------------------------------------------------------------

describe('public server: prefix /gw', () => {
  after(runCleanups);

  it('strips the prefix before the API handler', async () => {
    const gw = await startGateway({ prefix: '/gw' });
    const r = await request(gw.port, '/gw/api/health');
    assert.equal(r.status, 200);
    assert.equal((JSON.parse(r.body) as { url: string }).url, '/api/health');
    await request(gw.port, '/gw/api/v1/clusters/?status=RUNNING');
    await request(gw.port, '/gw');
    await request(gw.port, '/gw/');
    await request(gw.port, '/gw?x=1');
    assert.deepEqual(gw.apiUrls, [
      '/api/health',
      '/api/v1/clusters/?status=RUNNING',
      '/',
      '/',
      '/?x=1',
    ]);
  });

  it('answers 404 JSON outside the prefix', async () => {
    const gw = await startGateway({ prefix: '/gw' });
    for (const path of ['/other', '/', '/api/health', '/gwx/api/health', '/g']) {
      const r = await request(gw.port, path);
      assert.equal(r.status, 404, path);
      assert.match(String(r.headers['content-type']), /^application\/json/);
      assert.deepEqual(JSON.parse(r.body), {
        error: 'Not Found',
        code: 'not_found',
        request_id: r.headers['x-request-id'],
      });
    }
    assert.deepEqual(gw.apiUrls, []);
  });

  it('routes prefixed dashboard routes', async () => {
    const gw = await startGateway({ prefix: '/gw' });
    const dash = await startDashboard();
    // As gateway.ts registers them: the prefix is part of the route and of the target path.
    gw.routes.setPath('/gw/clusters/x', `http://127.0.0.1:${String(dash.port)}/gw/clusters/x`);
    const r = await request(gw.port, '/gw/clusters/x/status?a=1');
    assert.equal(r.status, 200);
    assert.deepEqual(
      dash.seen.map((s) => s.url),
      ['/gw/clusters/x/status?a=1']
    );
    assert.equal((await request(gw.port, '/clusters/x/status')).status, 404);
  });
});

// ---------------------------------------------------------------------------------------------
// Lifecycle
// ---------------------------------------------------------------------------------------------

describe('public server: close()', () => {
  after(runCleanups);

  it('closes open connections and stops listening', async () => {
    const routes = new RouteTable();
    const server = createPublicServer({
      authorizeDashboard: openDashboards,
      routes,
      log,
      prefix: '',
      limits: { helloTimeoutMs: 1500 },
    });
    server.setApiHandler((_req, res) => res.end('ok'));
    const { port } = await server.listen('127.0.0.1', 0);
    const idle = await rawConnect(port);
    await server.close();
    assert.equal(await closesWithin(idle, 1000), true);
    await assert.rejects(request(port, '/'), /ECONNREFUSED/);
  });

  it('close() leaves no hello timer of a waiting client behind', async () => {
    const timeouts = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const server = createPublicServer({
      authorizeDashboard: openDashboards,
      routes: new RouteTable(),
      log,
      prefix: '',
      limits: { helloTimeoutMs: 1000 },
    });
    const { port } = await server.listen('127.0.0.1', 0);
    const before = timeouts();
    const idle = await rawConnect(port);
    const closed = new Promise<void>((resolve) =>
      idle.once('close', () => {
        resolve();
      })
    );
    await sleep(20);
    await server.close();
    await closed;
    await sleep(20);
    assert.equal(timeouts(), before, 'a Timeout is still armed after close()');
  });

  it('listen() rejects when the port is taken', async () => {
    const gw = await startGateway();
    const other = createPublicServer({
      authorizeDashboard: openDashboards,
      routes: new RouteTable(),
      log,
      prefix: '',
    });
    await assert.rejects(other.listen('127.0.0.1', gw.port), /EADDRINUSE/);
  });
});

// ---------------------------------------------------------------------------------------------

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

// ---------------------------------------------------------------------------------------------
// (g) Limits on request heads and slow clients
// ---------------------------------------------------------------------------------------------

describe('public server: HTTP limits', () => {
  after(runCleanups);

  it('answers 431 with a JSON error to a request head over maxHeaderBytes', async () => {
    const gw = await startGateway({ httpLimits: { maxHeaderBytes: 2048 } });
    const s = await rawConnect(gw.port);
    const got = collect(s);
    s.write(`GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
    await got.ended;
    assert.match(got.text(), /^HTTP\/1\.1 431 /);
    assert.match(got.text(), /"code":"header_too_large"/);
    assert.equal((await request(gw.port, '/api/health')).status, 200);
  });

  it('accepts a request head just under maxHeaderBytes', async () => {
    const gw = await startGateway({ httpLimits: { maxHeaderBytes: 4096 } });
    const r = await request(gw.port, '/api/health', { headers: { 'X-Pad': 'a'.repeat(3000) } });
    assert.equal(r.status, 200);
  });

  it('closes a client that sends its request head too slowly', async () => {
    const gw = await startGateway({ httpLimits: { headersTimeoutMs: 300, idleTimeoutMs: 0 } });
    const s = await rawConnect(gw.port);
    const got = collect(s);
    s.write('GET /api/health HTTP/1.1\r\nHost: x\r\n');
    assert.ok(await closesWithin(s, 5000), 'the slow client was not closed');
    assert.match(got.text(), /^(HTTP\/1\.1 408 |$)/);
  });

  it('closes a silent connection after the idle timeout', async () => {
    const gw = await startGateway({ httpLimits: { idleTimeoutMs: 300, headersTimeoutMs: 20_000 } });
    const s = await rawConnect(gw.port);
    s.write('GET /api/x HTTP/1.1\r\nHost: x\r\n');
    assert.ok(await closesWithin(s, 5000), 'the silent client was not closed');
  });

  it('cuts a request whose handler is silent past the idle timeout', async () => {
    const gw = await startGateway({ httpLimits: { idleTimeoutMs: 300 } });
    await assert.rejects(request(gw.port, '/slow'));
  });

  it('exempts ?wait long polls and event streams from the idle timeout', async () => {
    const gw = await startGateway({ httpLimits: { idleTimeoutMs: 300 } });
    assert.equal((await request(gw.port, '/slow/api/v1/clusters/a?wait')).status, 200);
    assert.equal((await request(gw.port, '/slow/api/v1/clusters/a?wait=1')).status, 200);
    assert.equal((await request(gw.port, '/slow/api/v1/events')).status, 200);
    const sse = await request(gw.port, '/slow/x', { headers: { Accept: 'text/event-stream' } });
    assert.equal(sse.status, 200);
  });

  it('isLongLived recognises exactly the long-lived requests', () => {
    const req = (url: string, accept?: string) => ({
      url,
      headers: accept === undefined ? {} : { accept },
    });
    for (const url of [
      '/api/v1/clusters/a?wait',
      '/api/v1/clusters/a?wait=1',
      '/api/v1/clusters/a?x=1&wait=-2',
      '/api/v1/clusters/a/events',
      '/api/v1/events',
      '/api/v1/events/',
    ]) {
      assert.equal(isLongLived(req(url)), true, url);
    }
    for (const url of [
      '/api/v1/clusters/a',
      '/api/v1/clusters/a?wait=0',
      '/api/v1/clusters/a?wait=abc',
      '/api/v1/eventsx',
    ]) {
      assert.equal(isLongLived(req(url)), false, url);
    }
    assert.equal(isLongLived(req('/api/v1/x', 'text/event-stream')), true);
  });
});
