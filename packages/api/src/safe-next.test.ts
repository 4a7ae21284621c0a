/**
 * Table-driven tests of the one `safeNext` the server and the web UI share: the open-redirect
 * payloads of issue 14 (finding 7) and their relatives fall back, same-origin paths are kept.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextOrHome, safeNext } from './safe-next.js';

/** Targets that would leave the gateway (or smuggle control characters) in some browser. */
const OFF_SITE: readonly unknown[] = [
  '/\\evil.example/x', // finding 7: /%5Cevil.example/x after the query is decoded
  '/\t/evil.example', // finding 7: /%09/evil.example after decoding; browsers drop the tab
  '/%5Cevil.example/x', // the same, still encoded (double-encoded in the query)
  '/%09/evil.example',
  '//evil.example/x',
  '/\\\\evil.example',
  '\\\\evil.example',
  '%2F%2Fevil.example',
  '/%2F/evil.example',
  '/%2f%2fevil.example',
  '/%252F%252Fevil.example',
  'https://evil.example/',
  'http:/evil.example',
  'javascript:alert(1)',
  'JaVaScRiPt:alert(1)',
  'data:text/html,x',
  '/ui/\n/evil',
  '/\n/evil.example',
  '/\r\n//evil.example',
  '/ /evil.example',
  '/\u00a0/evil.example',
  '/\u2028/evil.example',
  '/\u0000/evil.example',
  '/ui/%0A%0D',
  '/ui/%',
  '',
  'ui/',
  './/evil.example',
  42,
  null,
  undefined,
  ['/ui/'],
  `/${'a'.repeat(2100)}`,
];

describe('safeNext', () => {
  for (const bad of OFF_SITE) {
    it(`refuses ${typeof bad === 'string' ? JSON.stringify(bad).slice(0, 60) : String(bad)}`, () => {
      assert.equal(safeNext(bad), null);
      assert.equal(nextOrHome(bad), '/ui/');
      assert.equal(nextOrHome(bad, '/gw'), '/gw/ui/');
    });
  }

  it('keeps same-origin paths (the positive control)', () => {
    for (const good of [
      '/ui/',
      '/ui/clusters/a.b',
      '/clusters/a/status',
      '/ui/clusters/x?tab=logs#top',
      '/ui/clusters/alice%40example',
    ]) {
      assert.equal(safeNext(good), good);
      assert.equal(nextOrHome(good), good);
      // Whatever is kept resolves on the gateway's own origin.
      assert.equal(new URL(good, 'http://gw.test').origin, 'http://gw.test');
    }
  });

  it('keeps only paths under the prefix when there is one', () => {
    assert.equal(safeNext('/gw/ui/', '/gw'), '/gw/ui/');
    assert.equal(safeNext('/other/ui/', '/gw'), null);
    assert.equal(safeNext('/gw//evil.example', '/gw'), null);
    assert.equal(safeNext('/gw/\\evil.example', '/gw'), null);
  });
});
