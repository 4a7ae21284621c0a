import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashPassword, isPasswordHash, verifyPassword } from './password-hash.js';

test('a hash verifies its password and no other', async () => {
  const h = await hashPassword('s3cret');
  assert.ok(isPasswordHash(h));
  assert.ok(await verifyPassword('s3cret', h));
  assert.equal(await verifyPassword('s3cret ', h), false);
  assert.equal(await verifyPassword('', h), false);
});

test('hashes are salted', async () => {
  assert.notEqual(await hashPassword('x'), await hashPassword('x'));
});

test('malformed hashes never verify', async () => {
  for (const bad of ['', 'scrypt', 'scrypt:a', 'plain:abc:def', 'scrypt:abc:short']) {
    assert.equal(isPasswordHash(bad), false, bad);
    assert.equal(await verifyPassword('x', bad), false, bad);
  }
});

// Issue 14 finding 6: scryptSync held the event loop ~110 ms per wrong password.
test('hashing and verifying return promises and leave the event loop free meanwhile', async () => {
  const h = await hashPassword('s3cret');
  let ticked = false;
  setImmediate(() => {
    ticked = true;
  });
  const pending: unknown = verifyPassword('wrong', h);
  // Synchronous hashing would have finished (and returned a boolean) before the tick.
  assert.ok(pending instanceof Promise, 'verifyPassword returns a promise');
  assert.equal(ticked, false);
  const ok: unknown = await pending;
  assert.equal(ok, false);
  // The loop ran while scrypt worked on the thread pool (control: the tick did happen).
  assert.equal(ticked, true);
  const hashing: unknown = hashPassword('x');
  assert.ok(hashing instanceof Promise, 'hashPassword returns a promise');
  await hashing;
});
