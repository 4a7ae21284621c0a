/**
 * Tests for the browser paths of request authentication and for dashboard authorization: the
 * UI session with its CSRF check, no Basic challenge for browsers, the Python client's
 * credentials and API cookie unaffected, and dashboards only for their owner or admins.
 * @module
 */
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import type { AccessControl, Principal } from '../access/access-control.js';
import type { User } from '../auth/authenticator.js';
import { createBasicAuthenticator } from '../auth/basic.js';
import { CSRF_HEADER, UI_COOKIE, createBrowserSessions } from '../auth/browser-session.js';
import { createSessionCache } from '../auth/session-cache.js';
import type { ClusterRecord } from '../clusters/model.js';
import { GatewayError } from '../errors.js';
import { createUserAuth, type RequestLike } from './auth-hook.js';
import { createDashboardAuth } from './dashboard-auth.js';
import { DASHBOARD_LOGIN_PATH, createDashboardGrants } from '../auth/dashboard-grants.js';
import { createDashboardHosts } from '../proxy/dashboard-host.js';
import type { DashboardVerdict } from '../proxy/ports.js';

/** A fake access control: `admin` is the admin, `carol` is not granted, everyone else is. */
function fakeAccess(): AccessControl {
  const principal = (u: User): Principal => ({
    ...u,
    admin: u.name === 'admin',
    granted: u.name !== 'carol',
  });
  return {
    principal,
    requireGranted: principal,
    grant: () => Promise.resolve(),
    revoke: () => Promise.resolve(false),
    grantedUsers: () => [],
    grantedBy: (u: User) => (principal(u).granted ? 'group' : null),
    contact: null,
    grantGroups: [],
  };
}

function setup() {
  const clock = { now: () => 1_700_000_000_000 };
  const browser = createBrowserSessions({ clock, path: '/' });
  const sessions = createSessionCache({ cookieName: 'api-cookie', cacheMaxAge: 300, clock });
  const auth = createUserAuth(createBasicAuthenticator('pw'), sessions, browser, fakeAccess(), {
    onUser: () => undefined,
  });
  const login = (name: string) => browser.create({ name, groups: [], admin: false });
  return { auth, login, sessions };
}

const basic = (user: string, pw = 'pw') =>
  `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

async function rejects(p: Promise<unknown>, code: string): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, code);
    return err;
  }
  assert.fail(`expected a ${code} error`);
}

describe('browser session authentication', () => {
  it('lets GET requests in with the UI cookie alone', async () => {
    const { auth, login } = setup();
    const s = login('alice');
    const req: RequestLike = { method: 'GET', headers: { cookie: `${UI_COOKIE}=${s.id}` } };
    assert.equal((await auth.identify(req)).name, 'alice');
    assert.equal(auth.browserSession(req), s);
  });

  it('refuses state-changing requests without the matching CSRF header', async () => {
    const { auth, login } = setup();
    const s = login('alice');
    const other = login('bob');
    const cookie = `${UI_COOKIE}=${s.id}`;
    for (const method of ['POST', 'DELETE', 'PUT']) {
      const err = await rejects(auth.identify({ method, headers: { cookie } }), 'forbidden');
      assert.match(err.message, /x-gatehouse-csrf/);
      await rejects(
        auth.identify({ method, headers: { cookie, [CSRF_HEADER]: other.csrf } }),
        'forbidden'
      );
      const ok = await auth.identify({ method, headers: { cookie, [CSRF_HEADER]: s.csrf } });
      assert.equal(ok.name, 'alice');
    }
  });

  it('does not CSRF-check requests that carry their own credentials', async () => {
    const { auth, login } = setup();
    const s = login('alice');
    const p = await auth.identify({
      method: 'DELETE',
      headers: { cookie: `${UI_COOKIE}=${s.id}`, authorization: basic('bob') },
    });
    assert.equal(p.name, 'bob');
  });

  it("does not CSRF-check the Python client's API session cookie", async () => {
    const { auth, sessions } = setup();
    const value = sessions.store({ name: 'alice', groups: [], admin: false });
    const p = await auth.identify({ method: 'DELETE', headers: { cookie: `api-cookie=${value}` } });
    assert.equal(p.name, 'alice');
  });

  it('never sends browsers a Basic challenge; scripts still get it', async () => {
    const { auth } = setup();
    const script = await rejects(auth.identify({ headers: { accept: '*/*' } }), 'unauthenticated');
    assert.equal(script.headers['WWW-Authenticate'], 'Basic');
    for (const headers of [
      { 'x-requested-with': 'gatehouse-ui' },
      { accept: 'text/html' },
      { cookie: `${UI_COOKIE}=expired` },
      { 'x-requested-with': 'gatehouse-ui', authorization: basic('alice', 'wrong') },
    ]) {
      const err = await rejects(auth.identify({ headers }), 'unauthenticated');
      assert.equal(err.headers['WWW-Authenticate'], undefined, JSON.stringify(headers));
    }
  });

  it('checks login passwords with the authenticator', async () => {
    const { auth } = setup();
    assert.equal((await auth.checkPassword('alice', 'pw'))?.name, 'alice');
    assert.equal(await auth.checkPassword('alice', 'nope'), null);
  });
});

/** The status a verdict answers with (200 when the request passes). */
const statusOf = (v: DashboardVerdict) => (v.allow ? 200 : v.status);

describe('dashboard authorization', () => {
  const C = '0123456789abcdef0123456789abcdef';
  const HOST = `${C}.dashboards.localhost:8000`;
  const dash = () => {
    const s = setup();
    let active = true;
    const cluster = (n: string) =>
      n === C
        ? ({ name: C, username: 'alice', target: active ? 3 : 4 } as ClusterRecord)
        : undefined;
    const access = fakeAccess();
    let revoked = new Set<string>();
    let now = 1_700_000_000_000;
    const grants = createDashboardGrants({ now: () => now });
    const authorize = createDashboardAuth({
      userAuth: s.auth,
      cluster,
      principal: (u) => {
        const p = access.principal(u);
        return revoked.has(u.name) ? { ...p, granted: false, admin: false } : p;
      },
      grants,
      hosts: createDashboardHosts(null),
      prefix: '/gw',
    });
    const ask = (headers: IncomingHttpHeaders, url = `/gw/clusters/${C}/status`) =>
      authorize({ headers: { host: '127.0.0.1:8000', ...headers }, url, method: 'GET' }, C);
    const browserOf = (who: string) => ({
      cookie: `${UI_COOKIE}=${s.login(who).id}`,
      accept: 'text/html',
      'sec-fetch-mode': 'navigate',
    });
    /** The redirect a logged-in browser gets, as [dashboard host origin, code]. */
    const codeFor = async (who: string) => {
      const v = await ask(browserOf(who));
      assert.equal(v.allow, false);
      assert.equal(v.status, 302, v.body);
      const loc = new URL(v.headers['Location'] ?? '');
      return { origin: loc.origin, path: loc.pathname, code: loc.searchParams.get('code') ?? '' };
    };
    const onHost = (headers: IncomingHttpHeaders, url: string, host = HOST) =>
      authorize({ headers: { host, ...headers }, url, method: 'GET' }, host.split('.')[0] ?? '');
    const trade = (code: string, host = HOST) =>
      onHost({}, `${DASHBOARD_LOGIN_PATH}?code=${encodeURIComponent(code)}`, host);
    const cookieOf = (v: DashboardVerdict) => {
      assert.equal(v.allow, false);
      return (v.headers['Set-Cookie'] ?? '').split(';')[0] ?? '';
    };
    return {
      ...s,
      authorize,
      ask,
      codeFor,
      trade,
      onHost,
      cookieOf,
      stop: () => (active = false),
      revoke: (u: string) => (revoked = new Set([...revoked, u])),
      later: (ms: number) => (now += ms),
    };
  };

  it("sends the owner's and an admin's browser to the cluster's own host with a code", async () => {
    const { codeFor } = dash();
    for (const who of ['alice', 'admin']) {
      const r = await codeFor(who);
      assert.equal(r.origin, `http://${HOST}`, who);
      assert.equal(r.path, DASHBOARD_LOGIN_PATH);
      assert.ok(r.code.length >= 32);
    }
  });

  it('trades a code once for a HttpOnly host cookie and sends the browser to the page', async () => {
    const { codeFor, trade, onHost, cookieOf } = dash();
    const { code } = await codeFor('alice');
    const v = await trade(code);
    assert.equal(v.allow, false);
    assert.equal(v.status, 302);
    assert.equal(v.headers['Location'], `/gw/clusters/${C}/status`);
    assert.match(v.headers['Set-Cookie'] ?? '', /HttpOnly/);
    assert.match(v.headers['Set-Cookie'] ?? '', /SameSite=Lax/);
    assert.doesNotMatch(v.headers['Set-Cookie'] ?? '', /Domain=/i);
    const cookie = cookieOf(v);
    assert.deepEqual(await onHost({ cookie }, `/gw/clusters/${C}/individual-workers`), {
      allow: true,
    });
    assert.deepEqual(await onHost({ cookie, upgrade: 'websocket' }, `/gw/clusters/${C}/ws`), {
      allow: true,
    });
    // Single use.
    assert.equal(statusOf(await trade(code)), 403);
    // A same-named cookie tossed in by a sibling dashboard host does not hide the real one.
    const tossed = `gatehouse-dashboard=planted; ${cookie}`;
    assert.deepEqual(await onHost({ cookie: tossed }, `/gw/clusters/${C}/status`), { allow: true });
    // Over HTTPS the cookie is a __Host- cookie (host-only, Secure, Path=/ by the browser's rule).
    const again = (await codeFor('alice')).code;
    const login = `${DASHBOARD_LOGIN_PATH}?code=${encodeURIComponent(again)}`;
    const secure = await onHost({ 'x-forwarded-proto': 'https' }, login);
    assert.match(cookieOf(secure), /^__Host-gatehouse-dashboard=/);
    assert.match(secure.allow ? '' : (secure.headers['Set-Cookie'] ?? ''), /; Secure/);
    assert.deepEqual(await onHost({ cookie: cookieOf(secure) }, `/gw/clusters/${C}/`), {
      allow: true,
    });
  });

  it('refuses an expired code, a code on another cluster host, and no cookie', async () => {
    const { codeFor, trade, onHost, later } = dash();
    const { code } = await codeFor('alice');
    later(61_000);
    assert.equal(statusOf(await trade(code)), 403);
    const other = await codeFor('alice');
    assert.equal(
      statusOf(await trade(other.code, `${'f'.repeat(32)}.dashboards.localhost:8000`)),
      403
    );
    assert.equal(statusOf(await trade(other.code)), 403, 'spent on the wrong host');
    assert.equal(statusOf(await onHost({}, `/gw/clusters/${C}/status`)), 401);
    assert.equal(statusOf(await onHost({ cookie: 'gatehouse-dashboard=forged' }, '/')), 401);
  });

  it('drops the cookie with revoked access, a stopped cluster, and after it expires', async () => {
    for (const end of ['revoke', 'stop', 'expire'] as const) {
      const d = dash();
      const cookie = d.cookieOf(await d.trade((await d.codeFor('alice')).code));
      const url = `/gw/clusters/${C}/status`;
      assert.deepEqual(await d.onHost({ cookie }, url), { allow: true }, end);
      if (end === 'revoke') d.revoke('alice');
      else if (end === 'stop') d.stop();
      else d.later(9 * 3600 * 1000);
      const v = await d.onHost({ cookie }, url);
      assert.equal(v.allow, false, end);
      assert.ok(v.status === 401 || v.status === 403, end);
    }
  });

  it("lets the owner's and an admin's scripts through, sandboxed, with API credentials", async () => {
    const { ask } = dash();
    for (const who of ['alice', 'admin'])
      assert.deepEqual(await ask({ authorization: basic(who) }), { allow: true, sandbox: true });
    // A browser that cached Basic credentials is still sent to the dashboard host.
    const v = await ask({ authorization: basic('alice'), 'sec-fetch-mode': 'navigate' });
    assert.equal(statusOf(v), 302);
  });

  it('without a dashboard domain, refuses browsers reaching the gateway by a real name', async () => {
    const { ask, login } = dash();
    const v = await ask({
      host: 'gateway.example.org',
      cookie: `${UI_COOKIE}=${login('alice').id}`,
    });
    assert.equal(v.allow, false);
    assert.equal(v.status, 403);
    assert.match(v.body, /proxy\.dashboard_domain/);
  });

  it('refuses another user, and an owner without access, with 403', async () => {
    const { ask, login } = dash();
    for (const headers of [
      { cookie: `${UI_COOKIE}=${login('bob').id}` },
      { authorization: basic('bob') },
    ]) {
      const v = await ask(headers);
      assert.equal(v.allow, false);
      assert.equal(v.status, 403);
      assert.match(v.body, /bob may not view the dashboard of cluster/);
    }
  });

  it('sends a logged-out browser to the login page and back', async () => {
    const { ask } = dash();
    const v = await ask({ accept: 'text/html' });
    assert.equal(v.allow, false);
    assert.equal(v.status, 302);
    assert.equal(
      v.headers['Location'],
      `/gw/ui/login?next=${encodeURIComponent(`/gw/clusters/${C}/status`)}`
    );
  });

  it('answers a script without credentials 401 with the challenge', async () => {
    const { ask } = dash();
    const v = await ask({ accept: '*/*' });
    assert.equal(v.allow, false);
    assert.equal(v.status, 401);
    assert.equal(v.headers['WWW-Authenticate'], 'Basic');
  });

  it("carries the request's id in every refusal's body and X-Request-Id header", async () => {
    const { ask, login, onHost } = dash();
    const verdicts = [
      await ask({ cookie: `${UI_COOKIE}=${login('bob').id}`, 'x-request-id': 'req-42' }),
      await ask({ accept: '*/*', 'x-request-id': 'req-42' }),
      await onHost({ 'x-request-id': 'req-42' }, '/status'),
    ];
    for (const v of verdicts) {
      assert.equal(v.allow, false);
      assert.ok(v.status >= 400, String(v.status));
      const body = JSON.parse(v.body) as Record<string, unknown>;
      assert.equal(body['request_id'], 'req-42', v.body);
      assert.equal(v.headers['X-Request-Id'], 'req-42');
    }
    // Without a client-sent id, the refusal still names one.
    const v = await ask({ accept: '*/*' });
    assert.equal(v.allow, false);
    const id = (JSON.parse(v.body) as Record<string, unknown>)['request_id'];
    assert.ok(typeof id === 'string' && id.length > 0, v.body);
  });

  it('refuses an unknown cluster with 403, not revealing whether it exists', async () => {
    const { authorize } = dash();
    const headers = { host: '127.0.0.1', authorization: basic('alice') };
    const v = await authorize({ headers, url: '/gw/clusters/zz/status' }, 'zz');
    assert.equal(v.allow, false);
    assert.equal(v.status, 403);
  });
});
