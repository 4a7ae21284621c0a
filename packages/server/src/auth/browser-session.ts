/**
 * Browser sessions of the web UI, separate from the API session cookie the Python client uses.
 *
 * A login through the UI creates a session: an HttpOnly, SameSite=Lax cookie carrying a random
 * id, and a CSRF token. The token is also sent in a second, script-readable cookie; the UI copies
 * it into the `X-Gatehouse-CSRF` header of every state-changing request, and the server compares
 * the header with the token it stored for the session (double submit, tied to the session).
 * SameSite=Lax keeps the cookie on top-level navigations from other sites (a dashboard link
 * clicked in a notebook) but off cross-site subresource and form POSTs.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { sameSecret } from './same-secret.js';
import { CSRF_COOKIE_NAME, CSRF_HEADER_NAME } from '@gatehouse/api';
import type { Clock } from '../clock.js';
import { headerValue, type Headers, type User } from './authenticator.js';

/** Name of the HttpOnly cookie carrying the session id. */
export const UI_COOKIE = 'gatehouse-ui';
/** Name of the script-readable cookie carrying the CSRF token. */
export const CSRF_COOKIE = CSRF_COOKIE_NAME;
/** Header in which the UI returns the CSRF token (lower case, as Node gives headers). */
export const CSRF_HEADER = CSRF_HEADER_NAME.toLowerCase();
/** How long a browser session lasts from login (seconds). */
export const UI_SESSION_MAX_AGE = 12 * 3600;

/** One logged-in browser. */
export interface BrowserSession {
  readonly id: string;
  readonly user: User;
  /** The CSRF token state-changing requests must carry. */
  readonly csrf: string;
  readonly created: number;
}

/** Browser sessions kept in memory, per gateway process. */
export interface BrowserSessions {
  /** Starts a session for `user`. */
  create(user: User): BrowserSession;
  /** The live session with this id, or null (expired, logged out, unknown). */
  lookup(id: string): BrowserSession | null;
  /** Ends a session (logout). */
  destroy(id: string): void;
  /** Set-Cookie values starting `session` in the browser. */
  setCookies(session: BrowserSession, secure: boolean): string[];
  /** Set-Cookie values removing both cookies. */
  clearCookies(secure: boolean): string[];
}

/** Methods that change state and so need the CSRF token when authenticated by the UI cookie. */
export function isStateChanging(method: string | undefined): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes((method ?? 'GET').toUpperCase());
}

/** Whether `header` carries the session's CSRF token (constant time). */
export function csrfMatches(session: BrowserSession, header: string | undefined): boolean {
  if (header === undefined || header === '') return false;
  return sameSecret(header, session.csrf);
}

/**
 * Whether a request comes from a browser, which must never get a `WWW-Authenticate: Basic`
 * challenge (it would open the browser's own login box): it carries the UI cookie (even an
 * expired one), `X-Requested-With` (the UI sends it on every call), or asks for HTML.
 */
export function isBrowserRequest(headers: Headers, cookies: ReadonlyMap<string, string>): boolean {
  if (cookies.has(UI_COOKIE)) return true;
  if (headerValue(headers, 'x-requested-with') !== undefined) return true;
  return /\btext\/html\b/i.test(headerValue(headers, 'accept') ?? '');
}

/** Whether the browser reached the gateway over HTTPS (directly or through a TLS proxy). */
export function isSecureRequest(headers: Headers, encrypted: boolean): boolean {
  if (encrypted) return true;
  const proto = headerValue(headers, 'x-forwarded-proto') ?? '';
  return proto.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** Creates the session store; cookies are scoped to `path` (the gateway's prefix, or `/`). */
export function createBrowserSessions(opts: {
  clock: Clock;
  path: string;
  maxAge?: number;
}): BrowserSessions {
  const maxAge = opts.maxAge ?? UI_SESSION_MAX_AGE;
  const sessions = new Map<string, BrowserSession>();
  const attrs = (secure: boolean, age: number) =>
    `Path=${opts.path}; Max-Age=${String(age)}; SameSite=Lax${secure ? '; Secure' : ''}`;

  const expired = (s: BrowserSession) => opts.clock.now() - s.created >= maxAge * 1000;

  return {
    create(user) {
      if (sessions.size > 10_000) {
        for (const [id, s] of sessions) if (expired(s)) sessions.delete(id);
      }
      const session = {
        id: randomBytes(32).toString('base64url'),
        user,
        csrf: randomBytes(32).toString('base64url'),
        created: opts.clock.now(),
      };
      sessions.set(session.id, session);
      return session;
    },
    lookup(id) {
      const s = sessions.get(id);
      if (s === undefined) return null;
      if (expired(s)) {
        sessions.delete(id);
        return null;
      }
      return s;
    },
    destroy(id) {
      sessions.delete(id);
    },
    setCookies(session, secure) {
      const left = Math.max(1, Math.floor(maxAge - (opts.clock.now() - session.created) / 1000));
      return [
        `${UI_COOKIE}=${session.id}; HttpOnly; ${attrs(secure, left)}`,
        `${CSRF_COOKIE}=${session.csrf}; ${attrs(secure, left)}`,
      ];
    },
    clearCookies(secure) {
      return [
        `${UI_COOKIE}=; HttpOnly; ${attrs(secure, 0)}`,
        `${CSRF_COOKIE}=; ${attrs(secure, 0)}`,
      ];
    },
  };
}
