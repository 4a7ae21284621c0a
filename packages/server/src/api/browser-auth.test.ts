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
  };
}

function setup() {
  const clock = { now: () => 1_700_000_000_000 };
  const browser = createBrowserSessions({ clock, path: '/' });
  const sessions = createSessionCache({ cookieName: 'api-cookie', cacheMaxAge: 300, clock });
  const auth = createUserAuth(createBasicAuthenticator('pw'), sessions, browser, fakeAccess(), {
    onUser: () => undefined,
    onRefusal: () => undefined,
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

describe('dashboard authorization', () => {
  const cluster = { name: 'c1', username: 'alice' } as ClusterRecord;
  const dash = () => {
    const s = setup();
    const authorize = createDashboardAuth({
      userAuth: s.auth,
      cluster: (n) => (n === 'c1' ? cluster : undefined),
      prefix: '/gw',
    });
    const ask = (headers: IncomingHttpHeaders) =>
      authorize({ headers, url: '/gw/clusters/c1/status', method: 'GET' }, 'c1');
    return { ...s, ask };
  };

  it("lets in the owner's and an admin's browser session", async () => {
    const { ask, login } = dash();
    for (const who of ['alice', 'admin']) {
      const v = await ask({ cookie: `${UI_COOKIE}=${login(who).id}`, accept: 'text/html' });
      assert.deepEqual(v, { allow: true }, who);
    }
  });

  it("lets in the owner's and an admin's API credentials", async () => {
    const { ask } = dash();
    assert.deepEqual(await ask({ authorization: basic('alice') }), { allow: true });
    assert.deepEqual(await ask({ authorization: basic('admin') }), { allow: true });
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
      assert.match(v.body, /bob may not view the dashboard of cluster c1/);
    }
  });

  it('sends a logged-out browser to the login page and back', async () => {
    const { ask } = dash();
    const v = await ask({ accept: 'text/html' });
    assert.equal(v.allow, false);
    assert.equal(v.status, 302);
    assert.equal(
      v.headers['Location'],
      `/gw/ui/login?next=${encodeURIComponent('/gw/clusters/c1/status')}`
    );
  });

  it('answers a script without credentials 401 with the challenge', async () => {
    const { ask } = dash();
    const v = await ask({ accept: '*/*' });
    assert.equal(v.allow, false);
    assert.equal(v.status, 401);
    assert.equal(v.headers['WWW-Authenticate'], 'Basic');
  });

  it('refuses an unknown cluster with 403, not revealing whether it exists', async () => {
    const { auth } = dash();
    const authorize = createDashboardAuth({ userAuth: auth, cluster: () => undefined, prefix: '' });
    const v = await authorize({ headers: { authorization: basic('alice') } }, 'zz');
    assert.equal(v.allow, false);
  });
});
