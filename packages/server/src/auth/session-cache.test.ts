/**
 * Tests for the API session cookie cache (spec §2.2), driven by an injected clock.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { User } from './authenticator.js';
import { createSessionCache, parseCookies } from './session-cache.js';

const alice: User = { name: 'alice', groups: [], admin: false };
const bob: User = { name: 'bob', groups: ['g'], admin: true };

/** A cache with cache_max_age 300 s and a clock the test moves by hand. */
function setup(cacheMaxAge = 300, cookieName: string | null = 'gh-session') {
  let t = 1_700_000_000_000;
  const cache = createSessionCache({ cookieName, cacheMaxAge, clock: { now: () => t } });
  const advance = (seconds: number) => {
    t += seconds * 1000;
  };
  return { cache, advance };
}

describe('createSessionCache', () => {
  it('maps a stored cookie value to its user', () => {
    const { cache } = setup();
    const v = cache.store(alice);
    assert.match(v, /^[0-9a-f]{32}$/);
    assert.deepEqual(cache.lookup(v), alice);
  });

  it('returns null for unknown values', () => {
    const { cache } = setup();
    cache.store(alice);
    assert.equal(cache.lookup(''), null);
    assert.equal(cache.lookup('0'.repeat(32)), null);
  });

  it('gives different users different values', () => {
    const { cache } = setup();
    const a = cache.store(alice);
    const b = cache.store(bob);
    assert.notEqual(a, b);
    assert.equal(cache.lookup(a)?.name, 'alice');
    assert.deepEqual(cache.lookup(b), bob);
  });

  it('a value is fresh until cache_max_age, then expires', () => {
    const { cache, advance } = setup(300);
    const v = cache.store(alice);
    advance(299.999);
    assert.equal(cache.lookup(v)?.name, 'alice');
    advance(0.001);
    assert.equal(cache.lookup(v), null, 'an entry exactly cache_max_age old is stale');
    advance(-100);
    assert.equal(cache.lookup(v), null, 'an expired entry was evicted and stays gone');
  });

  it('re-issues the same value for the same username while fresh, without refreshing it', () => {
    const { cache, advance } = setup(300);
    const v = cache.store(alice);
    advance(200);
    assert.equal(cache.store(alice), v);
    advance(100);
    assert.equal(cache.lookup(v), null, 'age counts from the first store');
  });

  it('keeps the first cached user data when re-issuing (upstream quirk)', () => {
    const { cache } = setup();
    const v = cache.store(alice);
    assert.equal(cache.store({ name: 'alice', groups: ['admins'], admin: true }), v);
    assert.deepEqual(cache.lookup(v), alice);
  });

  it('issues a new value once the old one expired', () => {
    const { cache, advance } = setup(300);
    const v1 = cache.store(alice);
    advance(300);
    const v2 = cache.store(alice);
    assert.notEqual(v2, v1);
    assert.equal(cache.lookup(v1), null);
    assert.equal(cache.lookup(v2)?.name, 'alice');
    advance(299);
    assert.equal(cache.lookup(v2)?.name, 'alice');
  });

  it('a cache_max_age of 0 never authenticates by cookie', () => {
    const { cache } = setup(0);
    const v = cache.store(alice);
    assert.equal(cache.lookup(v), null);
  });

  it('Set-Cookie is name=value; Max-Age=2*cache_max_age; Path=/, HttpOnly, SameSite=Lax', () => {
    const { cache } = setup(300);
    const flags = 'HttpOnly; SameSite=Lax';
    assert.equal(cache.cookieName, 'gh-session');
    assert.equal(
      cache.setCookieHeader('abc123'),
      `gh-session=abc123; Max-Age=600; Path=/; ${flags}`
    );
    assert.equal(
      setup(45).cache.setCookieHeader('v'),
      `gh-session=v; Max-Age=90; Path=/; ${flags}`
    );
    assert.equal(
      cache.setCookieHeader('v', true),
      `gh-session=v; Max-Age=600; Path=/; ${flags}; Secure`
    );
  });

  it('a null cookie name picks dask-gateway-<uuid hex> per cache', () => {
    const a = setup(300, null).cache;
    const b = setup(300, null).cache;
    assert.match(a.cookieName, /^dask-gateway-[0-9a-f]{32}$/);
    assert.notEqual(a.cookieName, b.cookieName);
    assert.ok(a.setCookieHeader('v').startsWith(`${a.cookieName}=v;`));
  });

  it('a sweep of a large cache keeps fresh entries and drops stale ones', () => {
    const { cache, advance } = setup(300);
    const first = cache.store(alice);
    for (let i = 0; i < 5_000; i++)
      cache.store({ name: `old-${String(i)}`, groups: [], admin: false });
    advance(200);
    const fresh: string[] = [];
    for (let i = 0; i < 5_001; i++) {
      fresh.push(cache.store({ name: `new-${String(i)}`, groups: [], admin: false }));
    }
    advance(150);
    // The next store trips the size check: the first 5 001 entries (age 350 s) are stale.
    const last = cache.store(bob);
    assert.equal(cache.lookup(first), null);
    assert.equal(cache.lookup(fresh[0] ?? '')?.name, 'new-0');
    assert.equal(cache.lookup(fresh[5_000] ?? '')?.name, 'new-5000');
    assert.equal(cache.lookup(last)?.name, 'bob');
  });
});

describe('parseCookies', () => {
  it('returns an empty map without a header', () => {
    assert.equal(parseCookies(undefined).size, 0);
    assert.equal(parseCookies('').size, 0);
  });

  it('parses name=value pairs separated by semicolons, trimming spaces', () => {
    const m = parseCookies('a=1; b=2;c=3 ;  d = 4 ');
    assert.deepEqual(
      [...m],
      [
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
        ['d', '4'],
      ]
    );
  });

  it('keeps the first occurrence of a name', () => {
    assert.equal(parseCookies('s=first; s=second').get('s'), 'first');
  });

  it('keeps = inside values and strips surrounding double quotes', () => {
    const m = parseCookies('a=b=c; q="quoted"; e=');
    assert.equal(m.get('a'), 'b=c');
    assert.equal(m.get('q'), 'quoted');
    assert.equal(m.get('e'), '');
  });

  it('skips parts without = and empty names', () => {
    const m = parseCookies('flag; =orphan; ok=1;;');
    assert.deepEqual([...m], [['ok', '1']]);
  });

  it('finds a dask-gateway session cookie among others', () => {
    const name = 'dask-gateway-0123456789abcdef0123456789abcdef';
    const m = parseCookies(`_xsrf=2|abc; ${name}=deadbeef; theme=dark`);
    assert.equal(m.get(name), 'deadbeef');
  });

  it('round-trips a Set-Cookie value written by the cache', () => {
    const { cache } = setup();
    const v = cache.store(alice);
    const [pair] = cache.setCookieHeader(v).split(';');
    assert.equal(parseCookies(pair).get(cache.cookieName), v);
    assert.equal(cache.lookup(parseCookies(pair).get(cache.cookieName) ?? '')?.name, 'alice');
  });
});
