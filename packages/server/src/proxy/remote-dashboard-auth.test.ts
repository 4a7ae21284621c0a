/**
 * Tests for the external proxy's dashboard check against `fakeGatewayFetch`, a stand-in for the
 * gateway's check route passed as the authorizer's fetch (the real pairing is exercised by
 * python/tests/test_external_proxy.py).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import {
  BROWSER_HEADER,
  FRESH_MS,
  SANDBOX_HEADER,
  STALE_MS,
  createRemoteDashboardAuth,
} from './remote-dashboard-auth.js';

const OWNER = 'Basic b3duZXI6';

/** The gateway's answers: 204 for the owner, a 302 to login for a browser, else 401; or down. */
function fakeGatewayFetch() {
  const state = { down: false, calls: [] as { url: string; headers: Headers }[] };
  const impl: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    state.calls.push({ url, headers });
    if (state.down) return Promise.reject(new TypeError('fetch failed'));
    if (headers.get('authorization') === OWNER)
      return Promise.resolve(new Response(null, { status: 204 }));
    if (headers.get('accept') === 'text/html') {
      const login = `/ui/login?next=${encodeURIComponent(headers.get('x-forwarded-uri') ?? '')}`;
      return Promise.resolve(
        new Response('', { status: 302, headers: { Location: login, 'X-Other': 'dropped' } })
      );
    }
    return Promise.resolve(
      new Response('{"error":"no","code":"unauthenticated"}', {
        status: 401,
        headers: {
          'WWW-Authenticate': 'Basic realm="dask-gateway"',
          'Content-Type': 'application/json',
        },
      })
    );
  };
  return { impl, state };
}

function setup() {
  const clock = {
    t: 0,
    now() {
      return this.t;
    },
  };
  const gw = fakeGatewayFetch();
  const check = createRemoteDashboardAuth({
    gatewayUrl: 'http://127.0.0.1:9/',
    prefix: '/gw',
    clock,
    log: pino({ level: 'silent' }),
    fetch: gw.impl,
  });
  const req = (headers: Record<string, string>, url = '/gw/clusters/a/status') => ({
    method: 'GET',
    url,
    headers,
  });
  return { clock, gw, check, req };
}

describe('remote dashboard check', () => {
  it("asks the gateway with the browser's credentials and passes its refusal on", async () => {
    const { gw, check, req } = setup();
    assert.deepEqual(await check(req({ authorization: OWNER }), 'a'), { allow: true });
    const call = gw.state.calls.at(0);
    assert.ok(call !== undefined);
    assert.equal(call.url, 'http://127.0.0.1:9/gw/api/proxy/dashboard-auth/a');
    assert.equal(call.headers.get('x-forwarded-uri'), '/gw/clusters/a/status');
    const browser = await check(req({ accept: 'text/html' }), 'a');
    assert.equal(browser.allow, false);
    assert.equal(browser.status, 302);
    assert.equal(browser.headers['location'], '/ui/login?next=%2Fgw%2Fclusters%2Fa%2Fstatus');
    assert.equal(browser.headers['x-other'], undefined, 'only refusal headers come back');
    const script = await check(req({}), 'a');
    assert.ok(
      !script.allow &&
        script.status === 401 &&
        script.headers['www-authenticate']?.startsWith('Basic')
    );
  });

  it('marks WebSocket upgrades for the gateway', async () => {
    const { gw, check, req } = setup();
    await check(req({ authorization: OWNER, upgrade: 'websocket' }, '/gw/clusters/a/ws'), 'a');
    assert.equal(gw.state.calls.at(0)?.headers.get('x-gatehouse-upgrade'), '1');
  });

  it('remembers an allowed answer briefly, per cluster and credentials', async () => {
    const { clock, gw, check, req } = setup();
    await check(req({ authorization: OWNER }), 'a');
    await check(req({ authorization: OWNER }), 'a');
    assert.equal(gw.state.calls.length, 1);
    await check(req({ authorization: OWNER }), 'b');
    assert.equal(gw.state.calls.length, 2, 'another cluster is checked on its own');
    clock.t = FRESH_MS;
    await check(req({ authorization: OWNER }), 'a');
    assert.equal(gw.state.calls.length, 3, 'asked again once the answer is no longer fresh');
  });

  it('keeps open dashboards working while the gateway is down, for a while, and 503 otherwise', async () => {
    const { clock, gw, check, req } = setup();
    await check(req({ authorization: OWNER }), 'a');
    gw.state.down = true;
    clock.t = FRESH_MS + 1;
    assert.deepEqual(await check(req({ authorization: OWNER }), 'a'), { allow: true });
    const never = await check(req({ authorization: 'Basic c29tZW9uZTo=' }), 'a');
    assert.ok(!never.allow && never.status === 503 && never.body.includes('gateway_unavailable'));
    clock.t = STALE_MS + 1;
    const late = await check(req({ authorization: OWNER }), 'a');
    assert.ok(!late.allow && late.status === 503);
  });

  it("sends the request's id to the gateway, and names it in the 503 while the gateway is down", async () => {
    const { gw, check, req } = setup();
    await check(req({ authorization: OWNER, 'x-request-id': 'req-7' }), 'a');
    assert.equal(gw.state.calls.at(0)?.headers.get('x-request-id'), 'req-7');
    gw.state.down = true;
    const v = await check(
      req({ authorization: 'Basic c29tZW9uZTo=', 'x-request-id': 'req-8' }),
      'a'
    );
    assert.ok(!v.allow && v.status === 503);
    const body = JSON.parse(v.body) as Record<string, unknown>;
    assert.equal(body['code'], 'gateway_unavailable');
    assert.equal(body['request_id'], 'req-8');
    assert.equal(v.headers['X-Request-Id'], 'req-8');
  });

  it("carries the browser's Host, method and Sec-Fetch-Mode, and passes a code exchange's cookie back", async () => {
    const seen: Headers[] = [];
    const exchange = createRemoteDashboardAuth({
      gatewayUrl: 'http://127.0.0.1:9',
      prefix: '',
      clock: { now: () => 0 },
      log: pino({ level: 'silent' }),
      fetch: (_input, init) => {
        const h = new Headers(init?.headers);
        seen.push(h);
        if (h.get('x-forwarded-host') === 'a.dashboards.localhost:8000')
          return Promise.resolve(
            new Response('', {
              status: 302,
              headers: {
                Location: '/clusters/a/status',
                'Set-Cookie': 'gatehouse-dashboard=t; HttpOnly',
              },
            })
          );
        return Promise.resolve(
          new Response(null, { status: 204, headers: { [SANDBOX_HEADER]: '1' } })
        );
      },
    });
    const v = await exchange(
      {
        method: 'GET',
        url: '/_gatehouse/dashboard-login?code=x',
        headers: { host: 'a.dashboards.localhost:8000', 'sec-fetch-mode': 'navigate' },
      },
      'a'
    );
    assert.ok(!v.allow && v.status === 302);
    assert.equal(v.headers['set-cookie'], 'gatehouse-dashboard=t; HttpOnly');
    const first = seen[0];
    assert.ok(first !== undefined);
    assert.equal(first.get(BROWSER_HEADER), 'navigate');
    assert.equal(first.get('x-forwarded-method'), 'GET');
    // A sandboxed answer stays sandboxed, also when remembered.
    const script = {
      method: 'GET',
      url: '/clusters/a/status',
      headers: { host: 'gw:8000', authorization: OWNER },
    };
    assert.deepEqual(await exchange(script, 'a'), { allow: true, sandbox: true });
    assert.deepEqual(await exchange(script, 'a'), { allow: true, sandbox: true });
    assert.equal(seen.length, 2, 'the second answer came from memory');
  });
});
