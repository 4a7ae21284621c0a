import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, isPasswordHash, verifyPassword } from './password-hash.js';

test('a hash verifies its password and no other', () => {
  const h = hashPassword('s3cret');
  assert.ok(isPasswordHash(h));
  assert.ok(verifyPassword('s3cret', h));
  assert.equal(verifyPassword('s3cret ', h), false);
  assert.equal(verifyPassword('', h), false);
});

test('hashes are salted', () => {
  assert.notEqual(hashPassword('x'), hashPassword('x'));
});

test('malformed hashes never verify', () => {
  for (const bad of ['', 'scrypt', 'scrypt:a', 'plain:abc:def', 'scrypt:abc:short']) {
    assert.equal(isPasswordHash(bad), false, bad);
    assert.equal(verifyPassword('x', bad), false, bad);
  }
});
