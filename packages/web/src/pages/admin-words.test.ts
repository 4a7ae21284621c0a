/// <reference types="node" />
// Unit tests of the admin pages' words and quota fields: how a user is let in and why group or
// admin access has no revoke button; each quota field read with a message naming its label.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { AdminUser } from '@gatehouse/api';
import { accessOf, notRevocable } from './admin-words.js';
import { quotaSummary, readQuota } from './quota-values.js';

const user = (over: Partial<AdminUser>): AdminUser => ({
  name: 'u',
  granted: true,
  active_clusters: 0,
  usage: { clusters: 0, workers: 0, cores: 0, memory: 0 },
  quota: { max_clusters: null, max_workers: null, max_cores: null, max_memory: null },
  pending_request: false,
  granted_by: 'grant',
  groups: [],
  core_hours_30d: 0,
  ...over,
});

it('says how a user is let in; only an own grant is revocable here', () => {
  assert.equal(accessOf(user({})), 'granted');
  assert.equal(notRevocable(user({})), null);
  assert.equal(accessOf(user({ granted_by: 'group' })), 'via a group');
  assert.match(notRevocable(user({ granted_by: 'group' })) ?? '', /grant_groups/);
  assert.equal(accessOf(user({ granted_by: 'admin' })), 'admin');
  assert.match(notRevocable(user({ granted_by: 'admin' })) ?? '', /admin_users/);
  assert.equal(accessOf(user({ granted: false, granted_by: null })), 'no access');
});

it('reads quota fields: empty is no limit (or unset for a group), errors name the label', () => {
  const text = { max_clusters: '', max_workers: '8', max_cores: '1.5', max_memory: '0.5' };
  assert.deepEqual(readQuota(text, false), {
    quota: { max_clusters: null, max_workers: 8, max_cores: 1.5, max_memory: 2 ** 29 },
    errors: {},
  });
  assert.deepEqual(readQuota({ ...text, max_workers: 'No limit' }, true).quota, {
    max_workers: null,
    max_cores: 1.5,
    max_memory: 2 ** 29,
  });
  const bad = readQuota({ ...text, max_clusters: 'two', max_workers: '2.5' }, false).errors;
  assert.match(bad.max_clusters ?? '', /^Active clusters must be a number/);
  assert.match(bad.max_workers ?? '', /^Workers must be a whole number/);
  assert.match(readQuota({ ...text, max_cores: '-1' }, false).errors.max_cores ?? '', /^Cores/);
  assert.equal(
    quotaSummary({ max_clusters: 1, max_workers: null, max_cores: 2, max_memory: 2 ** 34 }),
    '1 cluster · no limit · 2 cores · 16 GiB'
  );
  assert.equal(quotaSummary({ max_workers: 3 }), '– · 3 workers · – · –');
});
