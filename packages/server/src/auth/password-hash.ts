/**
 * Password hashes for per-user Basic passwords in the config: scrypt with a random salt, stored
 * as `scrypt:<salt base64>:<key base64>`. `gatehouse hash-password` prints one.
 * @module
 */
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const KEY_LENGTH = 32;

/** Hashes `password` with a fresh salt. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password, salt, KEY_LENGTH);
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
export function verifyPassword(password: string, hash: string): boolean {
  if (!isPasswordHash(hash)) return false;
  const [, salt = '', key = ''] = hash.split(':');
  const expected = Buffer.from(key, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), KEY_LENGTH);
  return timingSafeEqual(actual, expected);
}
