/**
 * Password hashes for per-user Basic passwords in the config: scrypt with a random salt, stored
 * as `scrypt:<salt base64>:<key base64>`. `gatehouse hash-password` prints one. Both hashing and
 * checking run scrypt on libuv's thread pool, never on the event loop (issue 14: a synchronous
 * check held every client up for ~110 ms per wrong password).
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;

/** scrypt of `password` with `salt`, computed off the event loop. */
function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, (err, key) => {
      if (err === null) resolve(key);
      else reject(err);
    });
  });
}

/** Hashes `password` with a fresh salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt);
  return `scrypt:${salt.toString('base64')}:${key.toString('base64')}`;
}

/** Whether `text` has the shape of a hash made by {@link hashPassword}. */
export function isPasswordHash(text: string): boolean {
  const [kind, salt, key] = text.split(':');
  return (
    kind === 'scrypt' &&
    salt !== undefined &&
    key !== undefined &&
    Buffer.from(key, 'base64').length === KEY_LENGTH
  );
}

/** Whether `password` matches `hash`; false for malformed hashes. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (!isPasswordHash(hash)) return false;
  const [, salt = '', key = ''] = hash.split(':');
  const expected = Buffer.from(key, 'base64');
  const actual = await derive(password, Buffer.from(salt, 'base64'));
  return timingSafeEqual(actual, expected);
}
