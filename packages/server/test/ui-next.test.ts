/**
 * Finding 7 of issue 14 over real HTTP: `/ui/login?next=…` with an off-site target is never
 * served to the browser as is. The gateway answers with a redirect to the same page without
 * the `next` (so the web app never sees it), and whatever it redirects to stays on its origin.
 * A same-origin `next` is served unchanged (the positive control).
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/gateway.js';

const PAYLOADS = [
  '/%5Cevil.example/x',
  '/%09/evil.example',
  '//evil.example',
  '/%5C%5Cevil.example',
  '%2F%2Fevil.example',
  '/%2F%2Fevil.example',
  '/%252F%252Fevil.example',
  'https://evil.example/',
  'javascript:alert(1)',
  '/ui/%0A/evil',
  '/%0D%0A/evil.example',
];

describe('/ui/login?next=', () => {
  let gateway: Gateway;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-ui-next-'));
    const config = loadConfig({
      values: {
        listen: '127.0.0.1:0',
        data_dir: dir,
        store: { url: 'sqlite::memory:' },
        access: { grant_all_authenticated: true, bootstrap_admin_token: false },
      },
      env: {},
      defaultPythonEnv: path.join(dir, 'no-env'),
    });
    gateway = await startGateway(config, { log: pino({ level: 'silent' }), env: {} });
  });

  after(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (query: string) =>
    fetch(`${gateway.url}/ui/login?next=${query}`, { redirect: 'manual' });

  for (const payload of PAYLOADS) {
    it(`drops next=${payload}`, async () => {
      const r = await get(payload);
      assert.equal(r.status, 302, 'the unsafe next is taken off the address');
      const location = r.headers.get('location') ?? '';
      const target = new URL(location, gateway.url);
      assert.equal(target.origin, new URL(gateway.url).origin, location);
      assert.equal(target.pathname, '/ui/login');
      assert.equal(target.searchParams.get('next'), null, location);
    });
  }

  it('serves a same-origin next unchanged (positive control)', async () => {
    const r = await get(encodeURIComponent('/ui/clusters/abc'));
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
  });
});
