/**
 * The web UI's password login against one real gateway (shared password, in-memory store): a
 * wrong password is 401 without a Basic challenge, repeated failures are throttled per username
 * with 429 and Retry-After before the password is even checked, and another user is unaffected.
 * @module
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LOGIN_BURST } from '../src/auth/login-throttle.js';
import type { Gateway } from '../src/gateway.js';
import { startInProcessGateway, type InProcessGateway } from './in-process-gateway.js';

describe('web UI password login', () => {
  let started: InProcessGateway;
  let gateway: Gateway;

  before(async () => {
    // A fixed clock: the throttle never refills during the test.
    const now = Date.now();
    started = await startInProcessGateway({
      prefix: 'gatehouse-ui-login-',
      values: { auth: { type: 'basic', password: 'right' } },
      clock: { now: () => now },
    });
    gateway = started.gateway;
  });

  after(() => started.stop());

  const login = (username: string, password: string) =>
    fetch(`${gateway.url}/api/ui/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Requested-With': 'fetch' },
      body: JSON.stringify({ username, password }),
    });

  it('throttles repeated failures of one username, and only that one', async () => {
    for (let i = 0; i < LOGIN_BURST; i++) {
      const r = await login('mallory', 'guess');
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('www-authenticate'), null, 'no Basic box in a browser');
    }
    // Throttled now, even with the right password: the guess is never checked.
    const held = await login('mallory', 'right');
    assert.equal(held.status, 429);
    assert.ok(Number(held.headers.get('retry-after')) >= 1);
    assert.match(((await held.json()) as { error: string }).error, /Too many failed logins/);
    const other = await login('alice', 'right');
    assert.equal(other.status, 200, await other.text());
    assert.match(other.headers.get('set-cookie') ?? '', /gatehouse-ui=/);
  });
});
