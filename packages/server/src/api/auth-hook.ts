/**
 * Resolves the user of a request: the web UI's browser session (with its CSRF check on
 * state-changing requests), else a fresh API session cookie, else the authenticator's
 * credentials, else a 401 carrying the authenticator's challenge (spec §2.1, §2.2) — except for
 * browsers, which never get a challenge (it would open the browser's own login box). Access is
 * decided on every request, so a revoked user is out at once whatever cookie they hold. An API
 * session cookie is set on the successful answer of a fully authenticated request (never on
 * errors, never for API tokens, which are sent on every request anyway, and never for browsers).
 * Authenticated users are throttled by the per-user rate limit; wrong Basic passwords by the
 * login throttle, per (username, source address), before the password is checked. Cluster-token
 * requests never come here, and bearer tokens are not throttled.
 * @module
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControl, Principal } from '../access/access-control.js';
import { headerValue, type Authenticator, type User } from '../auth/authenticator.js';
import { parseBasic } from '../auth/basic.js';
import { sourceOf, type LoginThrottle } from '../auth/login-throttle.js';
import {
  CSRF_HEADER,
  UI_COOKIE,
  csrfMatches,
  isBrowserRequest,
  isSecureRequest,
  isStateChanging,
  type BrowserSession,
  type BrowserSessions,
} from '../auth/browser-session.js';
import { parseCookies, type SessionCache } from '../auth/session-cache.js';
import { GatewayError, forbidden, withRefusal, type Refusal } from '../errors.js';
import { NO_RATE_LIMIT, type UserRateLimit } from './user-rate-limit.js';

/** The parts of a request authentication reads (a Fastify request or a raw Node one). */
export interface RequestLike {
  readonly headers: IncomingHttpHeaders;
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  /** The connection, for the source address that password failures are counted by. */
  readonly socket?: { readonly remoteAddress?: string | undefined } | undefined;
}

/** Authenticates users of the API and applies access control. */
export interface UserAuth {
  /** The authenticated principal, granted or not; throws the 401 challenge when there is none. */
  identify(req: RequestLike): Promise<Principal>;
  /** A principal granted access; throws 401, or 403 with how to ask for access. */
  require(req: RequestLike): Promise<Principal>;
  /** A principal with the admin role; throws 401 or 403. */
  requireAdmin(req: RequestLike): Promise<Principal>;
  /** The live browser session the request's UI cookie names, or null. */
  browserSession(req: RequestLike): BrowserSession | null;
  /**
   * Checks a username and password (or, with an empty username, an API token) the way the
   * configured authenticator checks a Basic header; null when they are wrong.
   */
  checkPassword(username: string, password: string): Promise<User | null>;
  /** An `onSend` hook adding the API session cookie to successful answers. */
  onSend(req: FastifyRequest, reply: FastifyReply): void;
}

/** Observers of authentication outcomes. */
export interface AuthListeners {
  /** Every authenticated user (lets quotas by group apply to their later heartbeats). */
  readonly onUser: (user: User) => void;
}

/** The refusal of `req` for lack of access: audited, and recorded as an event. */
function accessRefusal(
  user: string,
  req: RequestLike,
  reason: string,
  metric: 'not_granted' | 'not_admin'
): Refusal {
  const action = `${req.method ?? 'GET'} ${req.url ?? ''}`;
  return { user, action, reason, metric, audit: true };
}

/** The authenticator's answer; Basic attempts are throttled per (username, source). */
async function throttledAuthenticate(
  authenticator: Authenticator,
  throttle: LoginThrottle | null,
  req: RequestLike
): Promise<User | null> {
  const basic = throttle === null ? null : parseBasic(req.headers.authorization);
  if (basic === null || throttle === null) return authenticator.authenticate(req.headers);
  const source = sourceOf(req);
  throttle.check(basic.username, source);
  const user = await authenticator.authenticate(req.headers);
  if (user === null) throttle.failed(basic.username, source);
  else throttle.succeeded(basic.username, source);
  return user;
}

/**
 * The user of the web UI's session `ui`, CSRF-checked on state-changing requests; null when
 * there is none or the request carries its own credentials (which cannot be forged
 * cross-site: no CSRF check).
 */
function uiSessionUser(ui: BrowserSession | null, req: RequestLike): User | null {
  if (req.headers.authorization !== undefined || ui === null) return null;
  if (isStateChanging(req.method) && !csrfMatches(ui, headerValue(req.headers, CSRF_HEADER)))
    throw forbidden(
      `Missing or wrong ${CSRF_HEADER} header for a request made with the web UI's session; reload the page`
    );
  return ui.user;
}

/** Creates the user authentication step. */
export function createUserAuth(
  authenticator: Authenticator,
  sessions: SessionCache,
  browser: BrowserSessions,
  access: AccessControl,
  listeners: AuthListeners,
  rateLimit: UserRateLimit = NO_RATE_LIMIT,
  passwordThrottle: LoginThrottle | null = null
): UserAuth {
  const { onUser } = listeners;
  const pending = new WeakMap<object, string>();
  const found = (user: User) => {
    rateLimit.take(user.name);
    onUser(user);
    return access.principal(user);
  };
  const browserSession = (req: RequestLike) => {
    const id = parseCookies(req.headers.cookie).get(UI_COOKIE);
    return id === undefined ? null : browser.lookup(id);
  };
  const identify = async (req: RequestLike): Promise<Principal> => {
    const cookies = parseCookies(req.headers.cookie);
    const ui = req.headers.authorization === undefined ? browserSession(req) : null;
    const uiUser = uiSessionUser(ui, req);
    if (uiUser !== null) return found(uiUser);
    const cookie = cookies.get(sessions.cookieName);
    if (cookie !== undefined) {
      const user = sessions.lookup(cookie);
      if (user !== null) return found(user);
    }
    const user = await throttledAuthenticate(authenticator, passwordThrottle, req);
    const fromBrowser = isBrowserRequest(req.headers, cookies);
    if (user === null) {
      throw new GatewayError('unauthenticated', 'Authentication required', {
        headers: fromBrowser ? {} : { 'WWW-Authenticate': authenticator.challenge },
      });
    }
    if (!fromBrowser && !/^Bearer\s/i.test(req.headers.authorization ?? ''))
      pending.set(req, sessions.store(user));
    return found(user);
  };
  return {
    identify,
    browserSession,
    async require(req) {
      const p = await identify(req);
      if (p.granted) return p;
      try {
        return access.requireGranted(p);
      } catch (err) {
        throw withRefusal(err, accessRefusal(p.name, req, 'not granted', 'not_granted'));
      }
    },
    async requireAdmin(req) {
      const p = await identify(req);
      if (p.admin) return p;
      throw withRefusal(
        forbidden(`User ${p.name} is not an administrator of this Dask Gateway`),
        accessRefusal(p.name, req, 'not an admin', 'not_admin')
      );
    },
    checkPassword(username, password) {
      const authorization =
        username === ''
          ? `Bearer ${password}`
          : `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
      return authenticator.authenticate({ authorization });
    },
    onSend(req, reply) {
      const value = pending.get(req);
      if (value !== undefined && reply.statusCode < 400) {
        void reply.header(
          'Set-Cookie',
          sessions.setCookieHeader(value, isSecureRequest(req.headers, false))
        );
      }
    },
  };
}
