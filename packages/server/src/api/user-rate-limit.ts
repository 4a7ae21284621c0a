/**
 * Per-user request throttling: a token bucket per authenticated user name. Only requests that
 * authenticate a user pass through it; cluster-token requests (scheduler heartbeats, a
 * scheduler's own DELETE) never do, so a busy user can never starve their clusters' heartbeats.
 * @module
 */
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';

/** Throttles users. */
export interface UserRateLimit {
  /** Takes one request from `user`'s bucket; throws `too_many_requests` when it is empty. */
  take(user: string): void;
}

/** A limit that never throttles. */
export const NO_RATE_LIMIT: UserRateLimit = { take: () => undefined };

/** Creates a limit of `perSecond` sustained requests per user with bursts of `burst`. */
export function createUserRateLimit(perSecond: number, burst: number, clock: Clock): UserRateLimit {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return {
    take(user) {
      const now = clock.now();
      const b = buckets.get(user) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
      buckets.set(user, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return;
      }
      const wait = Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
      throw new GatewayError(
        'too_many_requests',
        `User ${user} is sending more than ${String(perSecond)} requests per second; retry in ${String(wait)} s`,
        { headers: { 'Retry-After': String(wait) } }
      );
    },
  };
}
