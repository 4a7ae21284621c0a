/**
 * Tests for the proxy routing tables: segment matching, deepest route wins, prefix stripping
 * (spec §7.3 examples), `joinPaths`, and the SNI table (spec §7.2).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinPaths, RouteTable } from './route-table.js';

const API = 'http://127.0.0.1:5555';
const DASH = 'http://127.0.0.1:8787';

describe('RouteTable.matchPath', () => {
  it('returns null when there are no routes', () => {
    assert.equal(new RouteTable().matchPath('/api/health'), null);
  });

  it('spec §7.3: /clusters/abc/status with route /clusters/abc forwards /status', () => {
    const t = new RouteTable();
    t.setPath('/clusters/abc', DASH);
    assert.deepEqual(t.matchPath('/clusters/abc/status'), {
      prefix: '/clusters/abc',
      target: DASH,
      rest: '/status',
    });
  });

  it('spec §7.3: /clusters/abc forwards /', () => {
    const t = new RouteTable();
    t.setPath('/clusters/abc', DASH);
    assert.deepEqual(t.matchPath('/clusters/abc'), {
      prefix: '/clusters/abc',
      target: DASH,
      rest: '/',
    });
  });

  it('spec §7.3: /api/v1/clusters/ with the root route forwards it unchanged', () => {
    const t = new RouteTable();
    t.setPath('/', API);
    assert.deepEqual(t.matchPath('/api/v1/clusters/'), {
      prefix: '/',
      target: API,
      rest: '/api/v1/clusters/',
    });
  });

  it('spec §7.3: with prefix /foo, /foo/api/health forwards /api/health', () => {
    const t = new RouteTable();
    t.setPath('/foo/', API);
    assert.deepEqual(t.matchPath('/foo/api/health'), {
      prefix: '/foo',
      target: API,
      rest: '/api/health',
    });
    assert.equal(t.matchPath('/foobar/api/health'), null, 'segments, not string prefixes');
    assert.equal(t.matchPath('/other'), null);
  });

  it('the root route matches anything, including / and the empty path', () => {
    const t = new RouteTable();
    t.setPath('/', API);
    assert.equal(t.matchPath('/')?.rest, '/');
    assert.equal(t.matchPath('')?.rest, '/');
    assert.equal(t.matchPath('/a/b/c')?.rest, '/a/b/c');
  });

  it('matches whole segments only', () => {
    const t = new RouteTable();
    t.setPath('/', API);
    t.setPath('/clusters/abc', DASH);
    assert.equal(t.matchPath('/clusters/abcd/status')?.prefix, '/');
    assert.equal(t.matchPath('/clusters/ab')?.prefix, '/');
    assert.equal(t.matchPath('/clusters')?.prefix, '/');
    assert.equal(t.matchPath('/clusters/abc/x')?.prefix, '/clusters/abc');
  });

  it('the deepest matching route wins, whatever the insertion order', () => {
    const t = new RouteTable();
    t.setPath('/clusters/abc/status/deep', 'http://deep');
    t.setPath('/', API);
    t.setPath('/clusters', 'http://clusters');
    t.setPath('/clusters/abc', DASH);
    assert.deepEqual(t.matchPath('/clusters/abc/status/deep/x'), {
      prefix: '/clusters/abc/status/deep',
      target: 'http://deep',
      rest: '/x',
    });
    assert.deepEqual(t.matchPath('/clusters/abc/status'), {
      prefix: '/clusters/abc',
      target: DASH,
      rest: '/status',
    });
    assert.equal(t.matchPath('/clusters/zzz')?.target, 'http://clusters');
    assert.equal(t.matchPath('/clusters/zzz')?.rest, '/zzz');
    assert.equal(t.matchPath('/api')?.target, API);
  });

  it('keeps the query string after stripping the prefix', () => {
    const t = new RouteTable();
    t.setPath('/', API);
    t.setPath('/clusters/abc', DASH);
    assert.equal(t.matchPath('/clusters/abc/status?a=1&b=2')?.rest, '/status?a=1&b=2');
    assert.equal(t.matchPath('/clusters/abc?a=1')?.rest, '/?a=1');
    assert.equal(t.matchPath('/clusters/abc/?a=1')?.rest, '/?a=1');
    assert.equal(
      t.matchPath('/api/v1/clusters/?status=running')?.rest,
      '/api/v1/clusters/?status=running'
    );
    assert.equal(t.matchPath('/?wait')?.rest, '/?wait');
  });

  it('does not match on slashes inside the query string', () => {
    const t = new RouteTable();
    t.setPath('/', API);
    t.setPath('/clusters/abc', DASH);
    assert.deepEqual(t.matchPath('/api?next=/clusters/abc/status'), {
      prefix: '/',
      target: API,
      rest: '/api?next=/clusters/abc/status',
    });
  });

  it('keeps a trailing slash of the remainder, and drops none when the remainder is empty', () => {
    const t = new RouteTable();
    t.setPath('/clusters/abc', DASH);
    assert.equal(t.matchPath('/clusters/abc/status/')?.rest, '/status/');
    assert.equal(t.matchPath('/clusters/abc/')?.rest, '/');
    assert.equal(t.matchPath('/clusters/abc/a/b')?.rest, '/a/b');
  });

  it('normalizes one leading and one trailing slash of registered prefixes', () => {
    const t = new RouteTable();
    t.setPath('clusters/abc/', DASH);
    assert.equal(t.matchPath('/clusters/abc/status')?.prefix, '/clusters/abc');
    t.setPath('', API);
    assert.equal(t.matchPath('/x')?.prefix, '/');
    assert.deepEqual(t.entries().paths.sort(), [
      ['/', API],
      ['/clusters/abc', DASH],
    ]);
  });

  it('setPath replaces a target; removePath removes (with any slash spelling)', () => {
    const t = new RouteTable();
    t.setPath('/', API);
    t.setPath('/clusters/abc', DASH);
    t.setPath('/clusters/abc/', 'http://other');
    assert.equal(t.matchPath('/clusters/abc')?.target, 'http://other');
    t.removePath('clusters/abc/');
    assert.equal(t.matchPath('/clusters/abc/status')?.prefix, '/');
    t.removePath('/clusters/never-there');
    t.removePath('/');
    assert.equal(t.matchPath('/clusters/abc/status'), null);
  });
});

describe('joinPaths', () => {
  const cases: Array<[string, string, string]> = [
    ['', '', '/'],
    ['', '/', '/'],
    ['/base', '', '/base/'],
    ['/base', '/', '/base/'],
    ['/base/', '/', '/base/'],
    ['', '/status', '/status'],
    ['/', '/status', '/status'],
    ['/base', '/status', '/base/status'],
    ['/base/', '/status', '/base/status'],
    ['/base', 'status', '/base/status'],
    ['/base//', '//status', '/base/status'],
    ['/clusters/x', '/status?a=1', '/clusters/x/status?a=1'],
    ['/clusters/x', '/status/', '/clusters/x/status/'],
  ];
  for (const [base, rest, want] of cases) {
    it(`joinPaths(${JSON.stringify(base)}, ${JSON.stringify(rest)}) is ${JSON.stringify(want)}`, () => {
      assert.equal(joinPaths(base, rest), want);
    });
  }
});

describe('RouteTable SNI routes', () => {
  it('looks up a set route, with any tls:// prefix stripped', () => {
    const t = new RouteTable();
    t.setSni('abc', 'tls://127.0.0.1:41233');
    t.setSni('def', '10.0.0.2:8786');
    assert.equal(t.lookupSni('abc'), '127.0.0.1:41233');
    assert.equal(t.lookupSni('def'), '10.0.0.2:8786');
  });

  it('strips only a leading tls:// prefix', () => {
    const t = new RouteTable();
    t.setSni('abc', 'host.tls://x:1');
    assert.equal(t.lookupSni('abc'), 'host.tls://x:1');
  });

  it('misses unknown names and is case-sensitive and exact', () => {
    const t = new RouteTable();
    t.setSni('abc', 'tls://127.0.0.1:1');
    assert.equal(t.lookupSni('ABC'), undefined);
    assert.equal(t.lookupSni('ab'), undefined);
    assert.equal(t.lookupSni('daskgateway-abc'), undefined);
    assert.equal(t.lookupSni(''), undefined);
  });

  it('replaces and removes routes', () => {
    const t = new RouteTable();
    t.setSni('abc', 'tls://127.0.0.1:1');
    t.setSni('abc', 'tls://127.0.0.1:2');
    assert.equal(t.lookupSni('abc'), '127.0.0.1:2');
    assert.deepEqual(t.entries().sni, [['abc', '127.0.0.1:2']]);
    t.removeSni('abc');
    t.removeSni('never-there');
    assert.equal(t.lookupSni('abc'), undefined);
    assert.deepEqual(t.entries().sni, []);
  });

  it('keeps SNI and path routes apart', () => {
    const t = new RouteTable();
    t.setSni('abc', 'tls://127.0.0.1:1');
    t.setPath('/clusters/abc', DASH);
    t.removePath('/clusters/abc');
    assert.equal(t.lookupSni('abc'), '127.0.0.1:1');
    t.setPath('/clusters/abc', DASH);
    t.removeSni('abc');
    assert.equal(t.matchPath('/clusters/abc')?.target, DASH);
  });

  it('entries() is a snapshot, not a live view', () => {
    const t = new RouteTable();
    t.setPath('/', API);
    const snap = t.entries();
    t.setPath('/clusters/abc', DASH);
    assert.equal(snap.paths.length, 1);
  });
});
