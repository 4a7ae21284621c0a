/**
 * Issue 14 (finding 9) over real HTTP: UI pages carry a strict Content-Security-Policy, no
 * framing and no referrer leaks; UI and API responses carry `X-Content-Type-Options: nosniff`;
 * the API session cookie of the dask-gateway client is HttpOnly and SameSite=Lax, Secure only
 * behind HTTPS (plain HTTP clients must still get it back, spec §2.2). Dashboard paths
 * (`/clusters/…`) are left alone.
 * @module
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Gateway } from '../src/gateway.js';
import { startInProcessGateway, type InProcessGateway } from './in-process-gateway.js';

const ASSETS = fileURLToPath(new URL('../../web/dist/assets', import.meta.url));
const basic = (u: string) => `Basic ${Buffer.from(`${u}:x`).toString('base64')}`;

/** The directives of a CSP header, by name. */
function directives(csp: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of csp.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name !== undefined && name !== '') out.set(name, values);
  }
  return out;
}

describe('security headers and cookie flags', () => {
  let started: InProcessGateway;
  let gateway: Gateway;

  before(async () => {
    started = await startInProcessGateway({ prefix: 'gatehouse-headers-' });
    gateway = started.gateway;
  });

  after(() => started.stop());

  const get = (p: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}${p}`, { headers, redirect: 'manual' });

  it('gives UI pages a strict CSP, no framing, no referrer, nosniff', async () => {
    for (const p of ['/ui/', '/ui/login?next=%2Fui%2F', '/ui/clusters/abc']) {
      const r = await get(p);
      assert.equal(r.status, 200, p);
      const csp = directives(r.headers.get('content-security-policy') ?? '');
      assert.deepEqual(csp.get('default-src'), ["'self'"], p);
      assert.deepEqual(csp.get('script-src'), ["'self'"], p);
      assert.deepEqual(csp.get('connect-src'), ["'self'"], p);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], p);
      assert.deepEqual(csp.get('object-src'), ["'none'"], p);
      assert.ok(!(r.headers.get('content-security-policy') ?? '').includes('unsafe-eval'));
      assert.equal(r.headers.get('x-frame-options'), 'DENY');
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.match(r.headers.get('referrer-policy') ?? '', /^(same-origin|no-referrer)$/);
    }
  });

  it('sends nosniff on UI assets and on API answers, errors included', async () => {
    const asset = readdirSync(ASSETS).find((f) => f.endsWith('.js')) ?? 'none.js';
    for (const [p, status] of [
      [`/ui/assets/${asset}`, 200],
      ['/api/health', 200],
      ['/api/v1/clusters/', 401],
      ['/api/v1/options', 401],
    ] as const) {
      const r = await get(p);
      assert.equal(r.status, status, p);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff', p);
      assert.match(r.headers.get('referrer-policy') ?? '', /^(same-origin|no-referrer)$/, p);
    }
  });

  it('makes the API session cookie HttpOnly and SameSite=Lax, Secure only over HTTPS', async () => {
    const plain = await get('/api/v1/clusters/', { Authorization: basic('alice') });
    assert.equal(plain.status, 200);
    const cookie = plain.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^dask-gateway-[0-9a-f]+=[0-9a-f]+;/, 'the client cookie is set');
    assert.match(cookie, /; HttpOnly/i);
    assert.match(cookie, /; SameSite=Lax/i);
    assert.match(cookie, /; Path=\//);
    assert.doesNotMatch(cookie, /Secure/i, 'plain HTTP: the client must send it back');
    // The cookie still authenticates the next request (what the Python client does).
    const again = await get('/api/v1/clusters/', { Cookie: cookie.split(';')[0] ?? '' });
    assert.equal(again.status, 200);
    const https = await get('/api/v1/clusters/', {
      Authorization: basic('bob'),
      'X-Forwarded-Proto': 'https',
    });
    assert.match(https.headers.get('set-cookie') ?? '', /; Secure/);
  });

  it('leaves dashboard paths alone (they belong to the dashboard proxy)', async () => {
    const r = await get('/clusters/nonexistent/status', { Authorization: basic('alice') });
    assert.equal(r.headers.get('content-security-policy'), null);
    assert.equal(r.headers.get('x-frame-options'), null);
  });
});
