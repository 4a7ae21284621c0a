/**
 * Unit tests of the proxy's control API and the gateway's client of it: bearer-token
 * authentication, route PUT/GET/DELETE with validated targets, client counts, and the clear
 * errors bad requests get.
 * @module
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createClientTracker } from './client-tracker.js';
import { createControlApi } from './control-api.js';
import { createProxyControlClient, ProxyControlError } from './control-client.js';
import { createRemoteClientCounts } from './remote-clients.js';
import { baseUrl } from './public-server.js';
import { RouteTable } from './route-table.js';
import type { ApiApp } from '../api/api-app.js';

const TOKEN = 'proxy-token-0123456789';
const log = pino({ level: 'silent' });

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('proxy control API', () => {
  const routes = new RouteTable();
  const clock = manualClock();
  const tracker = createClientTracker(clock);
  let app: ApiApp;
  let url = '';

  before(async () => {
    app = await createControlApi({
      routes,
      clients: tracker,
      token: TOKEN,
      clock,
      log,
      info: () => ({ public_url: 'http://127.0.0.1:9', prefix: '/gw', version: 'v' }),
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    assert.ok(addr !== null && typeof addr !== 'string');
    url = baseUrl({ host: addr.address, port: addr.port });
  });
  after(() => app.close());

  const raw = (path: string, init: RequestInit = {}, token: string | null = TOKEN) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: {
        ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
        ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
    });

  it('refuses requests without the token, or with a wrong one, with 401 and a challenge', async () => {
    for (const token of [null, 'wrong-token-0123456789', '']) {
      const r = await raw('/routes', {}, token);
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
      const body = (await r.json()) as { error: string; code: string };
      assert.equal(body.code, 'unauthenticated');
      assert.equal(body.error, 'The proxy control API needs the proxy token');
    }
    const wrongClient = createProxyControlClient(url, 'wrong-token-0123456789');
    await assert.rejects(wrongClient.listRoutes(), (err: unknown) => {
      assert.ok(err instanceof ProxyControlError);
      assert.match(err.message, /answered 401/);
      return true;
    });
  });

  it('accepts upstream\'s "token" scheme too', async () => {
    const r = await fetch(`${url}/info`, { headers: { Authorization: `token ${TOKEN}` } });
    assert.equal(r.status, 200);
  });

  it('answers /info', async () => {
    const c = createProxyControlClient(url, TOKEN);
    assert.deepEqual(await c.info(), {
      public_url: 'http://127.0.0.1:9',
      prefix: '/gw',
      version: 'v',
    });
  });

  it('sets, lists, replaces and deletes SNI and PATH routes', async () => {
    const c = createProxyControlClient(`${url}/`, TOKEN);
    await c.putRoute({ kind: 'SNI', sni: 'abc', target: 'tls://127.0.0.1:4000' });
    await c.putRoute({
      kind: 'PATH',
      path: '/gw/clusters/abc',
      target: 'http://127.0.0.1:4001/gw/clusters/abc',
    });
    assert.deepEqual(await c.listRoutes(), [
      { kind: 'PATH', path: '/gw/clusters/abc', target: 'http://127.0.0.1:4001/gw/clusters/abc' },
      { kind: 'SNI', sni: 'abc', target: '127.0.0.1:4000' },
    ]);
    // The proxy routes with them at once.
    assert.equal(routes.lookupSni('abc'), '127.0.0.1:4000');
    assert.equal(routes.matchPath('/gw/clusters/abc/status')?.rest, '/status');

    await c.putRoute({ kind: 'SNI', sni: 'abc', target: '127.0.0.1:4010' });
    assert.equal(routes.lookupSni('abc'), '127.0.0.1:4010');

    await c.deleteRoute({ kind: 'PATH', path: '/gw/clusters/abc' });
    await c.deleteRoute({ kind: 'SNI', sni: 'abc' });
    // Deleting what is not there is not an error (a resync may race a removal).
    await c.deleteRoute({ kind: 'SNI', sni: 'never-there' });
    assert.deepEqual(await c.listRoutes(), []);
  });

  it('rejects unusable targets, the root path and bad bodies with 400 and a reason', async () => {
    const cases: Array<[string, string, unknown, RegExp]> = [
      ['PUT', '/routes/sni/abc', { target: 'no-port' }, /SNI route target must be host:port/],
      ['PUT', '/routes/sni/abc', { target: '127.0.0.1:70000' }, /host:port/],
      ['PUT', '/routes/path/clusters/abc', { target: 'ftp://x/' }, /http:\/\/ or https:\/\//],
      ['PUT', '/routes/path/clusters/abc', { target: 'not a url' }, /http:\/\/ or https:\/\//],
      [
        'PUT',
        '/routes/path/',
        { target: 'http://127.0.0.1:1/' },
        /root path belongs to the gateway API/,
      ],
      ['PUT', '/routes/sni/abc', { wrong: 1 }, /target/],
      ['PUT', '/routes/sni/abc', '{not json', /not valid JSON/],
    ];
    for (const [method, path, body, message] of cases) {
      const r = await raw(path, {
        method,
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      assert.equal(r.status, 400, `${method} ${path} ${JSON.stringify(body)}`);
      const j = (await r.json()) as { error: string; code: string };
      assert.equal(j.code, 'bad_request');
      assert.match(j.error, message);
    }
    assert.deepEqual(routes.list(), []);
    const r = await raw('/nowhere');
    assert.equal(r.status, 404);
  });

  it('reports client connections per cluster, and the gateway turns them into idle times', async () => {
    tracker.opened('a');
    tracker.opened('a');
    tracker.opened('b');
    clock.advance(1000);
    tracker.closed('b');
    clock.advance(4000);
    const c = createProxyControlClient(url, TOKEN);
    assert.deepEqual(await c.clients(), {
      a: { open: 2, idle_ms: null },
      b: { open: 0, idle_ms: 4000 },
    });

    // The gateway's clock differs from the proxy's: only the elapsed time crosses over.
    const gatewayClock = manualClock(50_000);
    const counts = createRemoteClientCounts(c, gatewayClock);
    assert.equal(counts.idleSince('b'), undefined, 'nothing known before the first poll');
    await counts.poll();
    assert.equal(counts.idleSince('a'), null);
    assert.equal(counts.idleSince('b'), 46_000);
    assert.equal(counts.idleSince('never-seen'), undefined);

    // Deleting a cluster's SNI route forgets it once no connection is open.
    await c.deleteRoute({ kind: 'SNI', sni: 'b' });
    await c.deleteRoute({ kind: 'SNI', sni: 'a' });
    assert.deepEqual(Object.keys(await c.clients()), ['a']);
    tracker.closed('a');
    tracker.closed('a');
  });

  it('fails clearly when the control API is not reachable', async () => {
    const c = createProxyControlClient('http://127.0.0.1:1', TOKEN, 2000);
    await assert.rejects(
      c.info(),
      /the proxy control API at http:\/\/127\.0\.0\.1:1 is not reachable/
    );
  });
});
