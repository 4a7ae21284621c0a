/**
 * Resolves the user of a request: a fresh session cookie, else the authenticator's credentials,
 * else a 401 carrying the authenticator's challenge (spec §2.1, §2.2). Access is decided on
 * every request, so a revoked user is out at once whatever cookie they hold. A session cookie is
 * set on the successful answer of a fully authenticated request (never on errors, and never for
 * API tokens, which are sent on every request anyway). Authenticated users are throttled by the
 * per-user rate limit; cluster-token requests never come here.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControl, Principal } from '../access/access-control.js';
import type { Authenticator, User } from '../auth/authenticator.js';
import { parseCookies, type SessionCache } from '../auth/session-cache.js';
import { GatewayError, forbidden } from '../errors.js';
import { NO_RATE_LIMIT, type UserRateLimit } from './user-rate-limit.js';

/** Authenticates users of the API and applies access control. */
export interface UserAuth {
  /** The authenticated principal, granted or not; throws the 401 challenge when there is none. */
  identify(req: FastifyRequest): Promise<Principal>;
  /** A principal granted access; throws 401, or 403 with how to ask for access. */
  require(req: FastifyRequest): Promise<Principal>;
  /** A principal with the admin role; throws 401 or 403. */
  requireAdmin(req: FastifyRequest): Promise<Principal>;
  /** An `onSend` hook adding the session cookie to successful answers. */
  onSend(req: FastifyRequest, reply: FastifyReply): void;
}

/** Observers of authentication outcomes. */
export interface AuthListeners {
  /** Every authenticated user (lets quotas by group apply to their later heartbeats). */
  readonly onUser: (user: User) => void;
  /** A request refused for lack of access (for the audit log). */
  readonly onRefusal: (who: string, what: string, why: string) => void;
}

/** Creates the user authentication step. */
export function createUserAuth(
  authenticator: Authenticator,
  sessions: SessionCache,
  access: AccessControl,
  listeners: AuthListeners,
  rateLimit: UserRateLimit = NO_RATE_LIMIT
): UserAuth {
  const { onUser, onRefusal } = listeners;
  const pending = new WeakMap<FastifyRequest, string>();
  const identify = async (req: FastifyRequest): Promise<Principal> => {
    const cookie = parseCookies(req.headers.cookie).get(sessions.cookieName);
    if (cookie !== undefined) {
      const user = sessions.lookup(cookie);
      if (user !== null) {
        rateLimit.take(user.name);
        onUser(user);
        return access.principal(user);
      }
    }
    const user = await authenticator.authenticate(req.headers);
    if (user === null) {
      throw new GatewayError('unauthenticated', 'Authentication required', {
        headers: { 'WWW-Authenticate': authenticator.challenge },
      });
    }
    rateLimit.take(user.name);
    if (!/^Bearer\s/i.test(req.headers.authorization ?? '')) pending.set(req, sessions.store(user));
    onUser(user);
    return access.principal(user);
  };
  return {
    identify,
    async require(req) {
      const p = await identify(req);
      if (!p.granted) {
        onRefusal(p.name, `${req.method} ${req.url}`, 'not granted');
        return access.requireGranted(p);
      }
      return p;
    },
    async requireAdmin(req) {
      const p = await identify(req);
      if (!p.admin) {
        onRefusal(p.name, `${req.method} ${req.url}`, 'not an admin');
        throw forbidden(`User ${p.name} is not an administrator of this Dask Gateway`);
      }
      return p;
    },
    onSend(req, reply) {
      const value = pending.get(req);
      if (value !== undefined && reply.statusCode < 400) {
        void reply.header('Set-Cookie', sessions.setCookieHeader(value));
      }
    },
  };
}
