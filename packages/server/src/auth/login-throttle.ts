/**
 * Throttles password guessing, at the web UI's login and on API Basic auth alike: each pair of
 * username (case-folded) and source address may fail a few times in a row, then one more attempt
 * is allowed per interval until a login succeeds. Keying by the source too means a guesser
 * elsewhere cannot lock the real user out (issue 14). API-token logins (no username) and
 * cluster tokens are not throttled: tokens are long random strings nobody can guess. Refusals are
 * `too_many_requests` with `Retry-After`, checked before the password is, so a throttled guess
 * costs no hash.
 * @module
 */
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';

/** Failed logins a (username, source) may have before it is throttled, by default. */
export const LOGIN_BURST = 5;
/** Seconds after which one more failed attempt is allowed again, by default. */
export const LOGIN_REFILL_SECONDS = 30;
/** At most this many (username, source) pairs are tracked (the oldest entries go first). */
const MAX_TRACKED = 10_000;

/** The source address a throttle keys a request by ('' when the socket has none). */
export function sourceOf(req: {
  readonly socket?: { readonly remoteAddress?: string | undefined } | undefined;
}): string {
  return req.socket?.remoteAddress ?? '';
}

/** The login throttle of one gateway; `source` is the client's address. */
export interface LoginThrottle {
  /** Throws `too_many_requests` when `username` may not try now from `source`. */
  check(username: string, source: string): void;
  /** Records a failed login of `username` from `source`. */
  failed(username: string, source: string): void;
  /** Forgets the failures of `username` from `source` (it logged in from there). */
  succeeded(username: string, source: string): void;
}

/** Creates the throttle (`limits.password_failures_burst` and `password_failure_interval`). */
export function createLoginThrottle(
  clock: Clock,
  burst: number = LOGIN_BURST,
  refillSeconds: number = LOGIN_REFILL_SECONDS
): LoginThrottle {
  const buckets = new Map<string, { tokens: number; at: number }>();
  const key = (u: string, source: string) => `${u.toLowerCase()}\n${source}`;
  const refill = (k: string) => {
    const now = clock.now();
    const b = buckets.get(k) ?? { tokens: burst, at: now };
    b.tokens = Math.min(burst, b.tokens + (now - b.at) / 1000 / refillSeconds);
    b.at = now;
    return b;
  };
  return {
    check(username, source) {
      if (username === '') return;
      const b = refill(key(username, source));
      if (b.tokens >= 1) return;
      const wait = Math.max(1, Math.ceil((1 - b.tokens) * refillSeconds));
      throw new GatewayError(
        'too_many_requests',
        `Too many failed logins for ${username} from this address; try again in ${String(wait)} s`,
        { headers: { 'Retry-After': String(wait) } }
      );
    },
    failed(username, source) {
      if (username === '') return;
      const k = key(username, source);
      const b = refill(k);
      b.tokens = Math.max(0, b.tokens - 1);
      buckets.delete(k);
      if (buckets.size >= MAX_TRACKED) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      buckets.set(k, b);
    },
    succeeded(username, source) {
      buckets.delete(key(username, source));
    },
  };
}
