/**
 * Finding 7 of issue 14 over real HTTP: `/ui/login?next=…` with an off-site target is never
 * served to the browser as is. The gateway answers with a redirect to the same page without
 * the `next` (so the web app never sees it), and whatever it redirects to stays on its origin.
 * A same-origin `next` is served unchanged (the positive control).
 * @module
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Gateway } from '../src/gateway.js';
import { startInProcessGateway, type InProcessGateway } from './in-process-gateway.js';

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
  let started: InProcessGateway;
  let gateway: Gateway;

  before(async () => {
    started = await startInProcessGateway({ prefix: 'gatehouse-ui-next-' });
    gateway = started.gateway;
  });

  after(() => started.stop());

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
