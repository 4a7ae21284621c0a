/// <reference types="node" />
// Unit tests of the web UI's routes: every known page, and unknown paths as not found (not
// silently My clusters).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { routeOf } from './router.js';

it('names each page, and anything else as unknown', () => {
  assert.deepEqual(routeOf('/'), { page: 'clusters' });
  assert.deepEqual(routeOf('/new/'), { page: 'new' });
  assert.deepEqual(routeOf('/admin'), { page: 'admin', rest: '' });
  assert.deepEqual(routeOf('/admin/users'), { page: 'admin', rest: '/users' });
  assert.deepEqual(routeOf('/clusters/a%2Fb'), { page: 'cluster', name: 'a/b' });
  assert.deepEqual(routeOf('/clusters/%E0'), { page: 'unknown' });
  for (const p of ['/nope', '/clusters', '/clusters/a/b', '/administrator'])
    assert.deepEqual(routeOf(p), { page: 'unknown' }, p);
});
