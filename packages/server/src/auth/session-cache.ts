/**
 * The API session cookie (spec §2.2): after a fully authenticated request the client gets a
 * cookie whose random value maps to the user for `cacheMaxAge` seconds, so later requests skip
 * the 401 round trip.
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { User } from './authenticator.js';

/** Session cookies kept in memory, per gateway process. */
export interface SessionCache {
  readonly cookieName: string;
  /** The user a cookie value maps to, if still fresh. */
  lookup(value: string): User | null;
  /** Remembers `user`; returns the cookie value (re-using a live one for the same name). */
  store(user: User): string;
  /**
   * The Set-Cookie header value for `value`: HttpOnly and SameSite=Lax (the Python client's
   * aiohttp cookie jar ignores both), Secure only when `secure` (never over plain HTTP, where
   * the client would not send it back; spec §2.2).
   */
  setCookieHeader(value: string, secure?: boolean): string;
}

/** Parses a Cookie header into name → value (first occurrence wins). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (header === undefined) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    const value = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    if (name !== '' && !out.has(name)) out.set(name, value);
  }
  return out;
}

/** Creates a cache; `cookieName` null picks `dask-gateway-<random hex>`. */
export function createSessionCache(opts: {
  cookieName: string | null;
  cacheMaxAge: number;
  clock: Clock;
}): SessionCache {
  const cookieName = opts.cookieName ?? `dask-gateway-${randomUUID().replaceAll('-', '')}`;
  const maxAgeMs = opts.cacheMaxAge * 1000;
  const byValue = new Map<string, { user: User; created: number }>();
  const byName = new Map<string, string>();

  const evict = (value: string) => {
    const entry = byValue.get(value);
    byValue.delete(value);
    if (entry !== undefined && byName.get(entry.user.name) === value)
      byName.delete(entry.user.name);
  };

  const fresh = (value: string) => {
    const entry = byValue.get(value);
    if (entry === undefined) return null;
    if (opts.clock.now() - entry.created >= maxAgeMs) {
      evict(value);
      return null;
    }
    return entry;
  };

  return {
    cookieName,
    lookup: (value) => fresh(value)?.user ?? null,
    store(user) {
      const existing = byName.get(user.name);
      if (existing !== undefined && fresh(existing) !== null) return existing;
      const value = randomBytes(16).toString('hex');
      byValue.set(value, { user, created: opts.clock.now() });
      byName.set(user.name, value);
      if (byValue.size > 10_000) {
        for (const v of [...byValue.keys()]) if (fresh(v) === null) evict(v);
      }
      return value;
    },
    setCookieHeader: (value, secure = false) =>
      `${cookieName}=${value}; Max-Age=${String(2 * opts.cacheMaxAge)}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`,
  };
}
