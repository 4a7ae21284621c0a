/**
 * The public port's own error answers (issue 15, item 6): a request head too large (431), too
 * slow (408) or malformed (400), a path outside the prefix (404) and a refused dashboard request
 * are answered from the one code → status → body mapping, with the right code and the
 * request's id in the body and the X-Request-Id header, like every API error.
 * @module
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createPublicServer, type HttpLimits } from '../src/proxy/public-server.js';
import type { DashboardAuthorizer } from '../src/proxy/ports.js';
import { RouteTable } from '../src/proxy/route-table.js';

const log = pino({ level: 'silent' });
const closers: Array<() => Promise<void>> = [];

/** A public server on 127.0.0.1:0 whose API answers 200; returns its port and route table. */
async function start(httpLimits: HttpLimits = {}, authorizeDashboard?: DashboardAuthorizer) {
  const routes = new RouteTable();
  const server = createPublicServer({
    routes,
    log,
    prefix: '/gw',
    httpLimits,
    ...(authorizeDashboard === undefined ? {} : { authorizeDashboard }),
  });
  server.setApiHandler((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{}');
  });
  const { port } = await server.listen('127.0.0.1', 0);
  closers.push(() => server.close());
  return { port, routes };
}

/** Writes `data` on a new connection and resolves with everything answered until it closes. */
async function raw(port: number, data: string): Promise<string> {
  const s = net.connect(port, '127.0.0.1');
  await once(s, 'connect');
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  s.write(data);
  await new Promise((resolve) => s.once('close', resolve));
  return Buffer.concat(chunks).toString('latin1');
}

/** The status, headers and JSON body of a raw HTTP answer. */
function parse(answer: string) {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = new Map(
    lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()])
  );
  // A chunked body: the JSON object inside the chunk framing.
  const json = body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1);
  return { statusLine, headers, body: JSON.parse(json) as Record<string, unknown> };
}

/** Asserts the answer is `status` with `code`, and names one request id in body and header. */
function assertError(answer: string, status: number, code: string) {
  const r = parse(answer);
  assert.match(r.statusLine, new RegExp(`^HTTP/1\\.1 ${String(status)} `), answer);
  assert.equal(r.body['code'], code, answer);
  assert.equal(typeof r.body['error'], 'string');
  const id = r.body['request_id'];
  assert.ok(typeof id === 'string' && id.length > 0, `no request_id in ${answer}`);
  assert.equal(r.headers.get('x-request-id'), id);
  assert.equal(r.headers.get('content-type'), 'application/json');
}

describe('public server error answers', () => {
  after(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('answers a request head over the limit 431 header_too_large', async () => {
    const { port } = await start({ maxHeaderBytes: 2048 });
    const big = `GET /gw/api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`;
    assertError(await raw(port, big), 431, 'header_too_large');
  });

  it('answers a request head that arrives too slowly 408 request_timeout', async () => {
    const { port } = await start({ headersTimeoutMs: 300, idleTimeoutMs: 0 });
    const answer = await raw(port, 'GET /gw/api/health HTTP/1.1\r\nHost: x\r\n');
    assertError(answer, 408, 'request_timeout');
  });

  it('answers a malformed request 400 bad_request', async () => {
    const { port } = await start();
    assertError(await raw(port, '\x00\x01 not http\r\n\r\n'), 400, 'bad_request');
  });

  it('answers a path outside the prefix 404 not_found', async () => {
    const { port } = await start();
    const answer = await raw(
      port,
      'GET /elsewhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'
    );
    assertError(answer, 404, 'not_found');
  });

  it('gives a refused dashboard request the id its authorizer saw', async () => {
    let seen: string | undefined;
    const refuse: DashboardAuthorizer = (req) => {
      const id = req.headers['x-request-id'];
      seen = typeof id === 'string' ? id : undefined;
      const body = JSON.stringify({ error: 'no', code: 'forbidden', request_id: seen });
      return Promise.resolve({ allow: false, status: 403, headers: {}, body });
    };
    const { port, routes } = await start({}, refuse);
    routes.setPath('/gw/clusters/a', 'http://127.0.0.1:9');
    const got = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get({ port, host: '127.0.0.1', path: '/gw/clusters/a/status', agent: false }, resolve)
        .on('error', reject);
    });
    got.resume();
    assert.equal(got.statusCode, 403);
    assert.ok(seen !== undefined && seen.length > 0, 'the authorizer saw no request id');
    assert.equal(got.headers['x-request-id'], seen);
  });
});
