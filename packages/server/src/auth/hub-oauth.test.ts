/**
 * Tests for the JupyterHub OAuth flow of the web UI against `fakeHubFetch`, a stand-in for the
 * hub's token and user endpoints passed as the flow's fetch. It is a fake: the real-hub proof is
 * python/tests/test_jupyterhub.py (test_browser_login_through_jupyterhub).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ResolvedJupyterHubAuth } from '../config/load.js';
import { GatewayError } from '../errors.js';
import { safeNext } from '../api/routes/ui-session.js';
import { OAUTH_STATE_MAX_AGE, createHubOAuth } from './hub-oauth.js';

const CFG: ResolvedJupyterHubAuth & { oauth_client_id: string } = {
  type: 'jupyterhub',
  api_url: 'http://hub.internal:8081/hub/api',
  api_token: 'service-secret',
  service_name: 'dask-gateway',
  use_service_access_scopes: true,
  admin_from_hub: true,
  cookie_name: null,
  cache_max_age: 300,
  public_url: 'https://hub.example.org/hub',
  oauth_client_id: 'service-dask-gateway',
  oauth_callback_url: null,
};
const CALLBACK = 'https://gw.example.org/api/ui/oauth/callback';
const ACCESS = ['access:services!service=dask-gateway'];

interface Seen {
  url: string;
  method: string;
  auth: string | null;
  body: string;
}

/** A fake hub: one valid code, `/user` for its token, `/users/<name>` for the service token. */
function fakeHubFetch(user: Record<string, unknown>, fullModel: Record<string, unknown> | null) {
  const seen: Seen[] = [];
  const impl: typeof fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const auth = new Headers(init?.headers).get('authorization');
    const body = typeof init?.body === 'string' ? init.body : '';
    seen.push({ url, method: init?.method ?? 'GET', auth, body });
    const json = (status: number, b: unknown) =>
      Promise.resolve(new Response(JSON.stringify(b), { status }));
    if (url === `${CFG.api_url}/oauth2/token`) {
      const form = new URLSearchParams(body);
      const ok =
        form.get('code') === 'good-code' &&
        form.get('client_secret') === CFG.api_token &&
        form.get('redirect_uri') === CALLBACK;
      return ok
        ? json(200, { access_token: 'user-oauth-token', token_type: 'Bearer' })
        : json(400, { error: 'invalid_grant' });
    }
    if (url === `${CFG.api_url}/user`) {
      return auth === 'token user-oauth-token' ? json(200, user) : json(403, { status: 403 });
    }
    if (url.startsWith(`${CFG.api_url}/users/`)) {
      return auth === `token ${CFG.api_token}` && fullModel !== null
        ? json(200, fullModel)
        : json(403, { status: 403 });
    }
    return json(404, {});
  };
  return { impl, seen };
}

function clockAt(t: number) {
  return {
    t,
    now() {
      return this.t;
    },
  };
}

async function refusal(p: Promise<unknown>): Promise<GatewayError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof GatewayError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

describe('hub OAuth flow', () => {
  it('sends the browser to the hub with the client id, redirect URI and a fresh state', () => {
    const flow = createHubOAuth(CFG, clockAt(0), fakeHubFetch({}, null).impl);
    const a = flow.begin('/ui/', CALLBACK);
    const b = flow.begin('/ui/', CALLBACK);
    const url = new URL(a.location);
    assert.equal(
      `${url.origin}${url.pathname}`,
      'https://hub.example.org/hub/api/oauth2/authorize'
    );
    assert.equal(url.searchParams.get('client_id'), 'service-dask-gateway');
    assert.equal(url.searchParams.get('redirect_uri'), CALLBACK);
    assert.equal(url.searchParams.get('response_type'), 'code');
    assert.equal(url.searchParams.get('state'), a.state);
    assert.notEqual(a.state, b.state);
  });

  it('logs the user in with the groups and admin flag the hub reports', async () => {
    const hub = fakeHubFetch(
      { kind: 'user', name: 'alice', admin: true, groups: ['dask-users'], scopes: ACCESS },
      null
    );
    const flow = createHubOAuth(CFG, clockAt(0), hub.impl);
    const { state } = flow.begin('/clusters/x/status', CALLBACK);
    const out = await flow.finish({ code: 'good-code', state, error: undefined }, state);
    assert.deepEqual(out, {
      user: { name: 'alice', groups: ['dask-users'], admin: true },
      next: '/clusters/x/status',
    });
    const token = hub.seen.find((s) => s.url.endsWith('/oauth2/token'));
    assert.ok(token !== undefined, 'the code was traded at the token endpoint');
    assert.equal(token.method, 'POST');
    assert.equal(new URLSearchParams(token.body).get('grant_type'), 'authorization_code');
    assert.equal(new URLSearchParams(token.body).get('client_id'), 'service-dask-gateway');
  });

  it('reads groups with the service token when the login token may not', async () => {
    const hub = fakeHubFetch(
      { kind: 'user', name: 'alice', scopes: ACCESS },
      { kind: 'user', name: 'alice', admin: false, groups: ['dask-users'] }
    );
    const flow = createHubOAuth(CFG, clockAt(0), hub.impl);
    const { state } = flow.begin('/ui/', CALLBACK);
    const out = await flow.finish({ code: 'good-code', state, error: undefined }, state);
    assert.deepEqual(out.user.groups, ['dask-users']);
  });

  it('refuses a state the browser does not carry, an unknown, reused or stale one', async () => {
    const clock = clockAt(0);
    const hub = fakeHubFetch({ kind: 'user', name: 'alice', groups: [], scopes: ACCESS }, null);
    const flow = createHubOAuth(CFG, clock, hub.impl);
    const a = flow.begin('/ui/', CALLBACK);
    // Another browser's cookie (login CSRF), then the state is gone: it is single use.
    assert.equal(
      (await refusal(flow.finish({ code: 'good-code', state: a.state, error: undefined }, 'other')))
        .code,
      'unauthenticated'
    );
    assert.equal(
      (await refusal(flow.finish({ code: 'good-code', state: a.state, error: undefined }, a.state)))
        .code,
      'unauthenticated'
    );
    assert.equal(
      (
        await refusal(
          flow.finish({ code: 'good-code', state: undefined, error: undefined }, undefined)
        )
      ).code,
      'unauthenticated'
    );
    const b = flow.begin('/ui/', CALLBACK);
    clock.t = OAUTH_STATE_MAX_AGE * 1000;
    const stale = await refusal(
      flow.finish({ code: 'good-code', state: b.state, error: undefined }, b.state)
    );
    assert.match(stale.message, /stale.*log in again/);
    assert.equal(hub.seen.length, 0, 'no code was sent to the hub');
  });

  it("passes on the hub's refusal and a bad code as messages for the login page", async () => {
    const hub = fakeHubFetch({ kind: 'user', name: 'alice', groups: [], scopes: ACCESS }, null);
    const flow = createHubOAuth(CFG, clockAt(0), hub.impl);
    const a = flow.begin('/ui/', CALLBACK);
    const denied = await refusal(
      flow.finish({ code: undefined, state: a.state, error: 'access_denied' }, a.state)
    );
    assert.match(denied.message, /JupyterHub refused the login \(access_denied\)/);
    const b = flow.begin('/ui/', CALLBACK);
    const bad = await refusal(
      flow.finish({ code: 'forged', state: b.state, error: undefined }, b.state)
    );
    assert.match(bad.message, /did not accept the login code/);
  });

  it('refuses a login whose token may not use the service', async () => {
    const hub = fakeHubFetch(
      { kind: 'user', name: 'mallory', groups: [], scopes: ['read:users:name!user'] },
      null
    );
    const flow = createHubOAuth(CFG, clockAt(0), hub.impl);
    const a = flow.begin('/ui/', CALLBACK);
    const err = await refusal(
      flow.finish({ code: 'good-code', state: a.state, error: undefined }, a.state)
    );
    assert.equal(err.code, 'forbidden');
    assert.match(err.message, /access:services!service=dask-gateway/);
  });

  it('reports an unreachable hub as an upstream failure', async () => {
    const down: typeof fetch = () => Promise.reject(new TypeError('fetch failed'));
    const flow = createHubOAuth(CFG, clockAt(0), down);
    const a = flow.begin('/ui/', CALLBACK);
    const err = await refusal(
      flow.finish({ code: 'good-code', state: a.state, error: undefined }, a.state)
    );
    assert.equal(err.code, 'upstream_failure');
  });
});

describe('safeNext', () => {
  it('keeps paths on this gateway and drops everything else', () => {
    assert.equal(safeNext('/clusters/a/status', ''), '/clusters/a/status');
    assert.equal(safeNext('/gw/ui/', '/gw'), '/gw/ui/');
    for (const bad of [
      '//evil.example/x',
      'https://evil.example/',
      '/\\evil',
      '/other/ui',
      42,
      undefined,
    ]) {
      assert.equal(safeNext(bad, bad === '/other/ui' ? '/gw' : ''), null, String(bad));
    }
  });
});
