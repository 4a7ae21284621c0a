/**
 * The web UI's password login against one real gateway (shared password, in-memory store): a
 * wrong password is 401 without a Basic challenge, repeated failures are throttled per username
 * with 429 and Retry-After before the password is even checked, and another user is unaffected.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { LOGIN_BURST } from '../src/auth/login-throttle.js';
import { loadConfig } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/gateway.js';

describe('web UI password login', () => {
  let gateway: Gateway;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-ui-login-'));
    const config = loadConfig({
      values: {
        listen: '127.0.0.1:0',
        data_dir: dir,
        store: { url: 'sqlite::memory:' },
        auth: { type: 'basic', password: 'right' },
        access: { grant_all_authenticated: true, bootstrap_admin_token: false },
      },
      env: {},
      defaultPythonEnv: path.join(dir, 'no-env'),
    });
    // A fixed clock: the throttle never refills during the test.
    const now = Date.now();
    gateway = await startGateway(config, {
      log: pino({ level: 'silent' }),
      clock: { now: () => now },
      env: process.env,
    });
  });

  after(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

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
