/**
 * Issue 14 finding 6: API Basic auth was never throttled, and the web UI's login throttle was
 * per username only, so one bad login every 30 s from anywhere locked the real user out. Both
 * are throttled per (username, source address) now: the guessing source gets 429 with
 * Retry-After while the real user, from another address, logs in. Real gateway, real sockets;
 * the attacker connects from 127.0.0.1 and the user from 127.0.0.2.
 * @module
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { LOGIN_BURST } from '../src/auth/login-throttle.js';
import type { Gateway } from '../src/gateway.js';
import { startInProcessGateway, type InProcessGateway } from './in-process-gateway.js';

interface Answer {
  readonly status: number;
  readonly retryAfter: string | undefined;
  readonly body: string;
}

describe('password guessing is throttled per username and source address', () => {
  let started: InProcessGateway;
  let gateway: Gateway;

  before(async () => {
    // A fixed clock: the throttle never refills during the test.
    const now = Date.now();
    started = await startInProcessGateway({
      prefix: 'gatehouse-throttle-',
      values: { auth: { type: 'basic', password: 'right' } },
      clock: { now: () => now },
    });
    gateway = started.gateway;
  });

  after(() => started.stop());

  /** One request from `from` (a loopback source address), on a fresh connection. */
  const send = (
    from: string,
    method: string,
    route: string,
    headers: Record<string, string>,
    body?: string
  ) =>
    new Promise<Answer>((resolve, reject) => {
      const url = new URL(route, gateway.url);
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method,
          headers,
          localAddress: from,
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const ra = res.headers['retry-after'];
            resolve({
              status: res.statusCode ?? 0,
              retryAfter: typeof ra === 'string' ? ra : undefined,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        }
      );
      req.on('error', reject);
      req.end(body);
    });

  const basic = (from: string, user: string, password: string) =>
    send(from, 'GET', '/api/v1/clusters/', {
      Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
    });

  const uiLogin = (from: string, username: string, password: string) =>
    send(
      from,
      'POST',
      '/api/ui/login',
      { 'Content-Type': 'application/json', 'X-Requested-With': 'fetch' },
      JSON.stringify({ username, password })
    );

  it('API Basic: the guessing source gets 429, the user elsewhere still logs in', async () => {
    for (let i = 0; i < LOGIN_BURST; i++) {
      assert.equal((await basic('127.0.0.1', 'alice', 'guess')).status, 401);
    }
    const held = await basic('127.0.0.1', 'alice', 'guess');
    assert.equal(held.status, 429, held.body);
    assert.ok(Number(held.retryAfter) >= 1, 'Retry-After says when');
    assert.match(held.body, /try again in \d+ s/);
    // Control: from the guessing source even the right password waits (the throttle refuses).
    assert.equal((await basic('127.0.0.1', 'alice', 'right')).status, 429);
    const user = await basic('127.0.0.2', 'alice', 'right');
    assert.equal(user.status, 200, user.body);
  });

  it('UI login: the guessing source gets 429, the user elsewhere still logs in', async () => {
    for (let i = 0; i < LOGIN_BURST; i++) {
      assert.equal((await uiLogin('127.0.0.1', 'bob', 'guess')).status, 401);
    }
    const held = await uiLogin('127.0.0.1', 'bob', 'right');
    assert.equal(held.status, 429, held.body);
    assert.ok(Number(held.retryAfter) >= 1);
    const user = await uiLogin('127.0.0.2', 'bob', 'right');
    assert.equal(user.status, 200, user.body);
  });
});
