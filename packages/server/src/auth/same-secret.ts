/**
 * Constant-time comparison of secrets (passwords, tokens, CSRF and OAuth state values): both
 * sides are hashed first, so neither their contents nor their lengths leak through timing.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Whether `a` and `b` are the same string, compared in constant time. */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}
