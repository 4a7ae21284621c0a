/**
 * Tests for the web UI's browser sessions: cookies, expiry, logout, CSRF token comparison and
 * browser detection, driven by an injected clock.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { User } from './authenticator.js';
import {
  CSRF_COOKIE,
  UI_COOKIE,
  createBrowserSessions,
  csrfMatches,
  isBrowserRequest,
  isSecureRequest,
  isStateChanging,
} from './browser-session.js';
import { parseCookies } from './session-cache.js';

const alice: User = { name: 'alice', groups: [], admin: false };

function setup(path = '/') {
  let t = 1_700_000_000_000;
  const sessions = createBrowserSessions({ clock: { now: () => t }, path, maxAge: 600 });
  return {
    sessions,
    advance: (s: number) => {
      t += s * 1000;
    },
  };
}

describe('browser sessions', () => {
  it('creates distinct random sessions and finds them by id', () => {
    const { sessions } = setup();
    const a = sessions.create(alice);
    const b = sessions.create(alice);
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.csrf, b.csrf);
    assert.notEqual(a.id, a.csrf);
    assert.match(a.id, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(sessions.lookup(a.id), a);
    assert.equal(sessions.lookup('nope'), null);
  });

  it('expires sessions after maxAge and forgets them on logout', () => {
    const { sessions, advance } = setup();
    const a = sessions.create(alice);
    const b = sessions.create(alice);
    sessions.destroy(b.id);
    assert.equal(sessions.lookup(b.id), null);
    advance(599);
    assert.equal(sessions.lookup(a.id), a);
    advance(1);
    assert.equal(sessions.lookup(a.id), null);
  });

  it('sets an HttpOnly SameSite=Lax session cookie and a readable CSRF cookie', () => {
    const { sessions, advance } = setup('/gw/');
    const s = sessions.create(alice);
    advance(100);
    const [session, csrf] = sessions.setCookies(s, false);
    assert.equal(session, `${UI_COOKIE}=${s.id}; HttpOnly; Path=/gw/; Max-Age=500; SameSite=Lax`);
    assert.equal(csrf, `${CSRF_COOKIE}=${s.csrf}; Path=/gw/; Max-Age=500; SameSite=Lax`);
    for (const c of sessions.setCookies(s, true)) assert.match(c, /; Secure$/);
    for (const c of sessions.clearCookies(false)) assert.match(c, /=; .*Max-Age=0; SameSite=Lax$/);
  });

  it('compares the CSRF header with the session token', () => {
    const { sessions } = setup();
    const s = sessions.create(alice);
    const other = sessions.create(alice);
    assert.equal(csrfMatches(s, s.csrf), true);
    assert.equal(csrfMatches(s, other.csrf), false);
    assert.equal(csrfMatches(s, undefined), false);
    assert.equal(csrfMatches(s, ''), false);
    assert.equal(csrfMatches(s, `${s.csrf}x`), false);
  });

  it('needs the token for every method but GET, HEAD and OPTIONS', () => {
    for (const m of ['GET', 'head', 'OPTIONS', undefined]) assert.equal(isStateChanging(m), false);
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE', 'delete'])
      assert.equal(isStateChanging(m), true);
  });

  it('tells browsers from scripts', () => {
    const none = new Map<string, string>();
    assert.equal(isBrowserRequest({ accept: '*/*' }, none), false);
    assert.equal(isBrowserRequest({}, none), false);
    assert.equal(isBrowserRequest({ accept: 'text/html,application/xhtml+xml' }, none), true);
    assert.equal(isBrowserRequest({ 'x-requested-with': 'gatehouse-ui' }, none), true);
    assert.equal(isBrowserRequest({}, parseCookies(`${UI_COOKIE}=stale`)), true);
  });

  it('marks cookies Secure over HTTPS, directly or behind a TLS proxy', () => {
    assert.equal(isSecureRequest({}, true), true);
    assert.equal(isSecureRequest({}, false), false);
    assert.equal(isSecureRequest({ 'x-forwarded-proto': 'https' }, false), true);
    assert.equal(isSecureRequest({ 'x-forwarded-proto': 'HTTPS, http' }, false), true);
    assert.equal(isSecureRequest({ 'x-forwarded-proto': 'http' }, false), false);
  });
});
