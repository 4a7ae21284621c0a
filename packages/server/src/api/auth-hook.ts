/**
 * Resolves the user of a request: a fresh session cookie, else the authenticator's credentials,
 * else a 401 carrying the authenticator's challenge (spec §2.1, §2.2). A session cookie is set
 * on the successful response of a fully authenticated request, never on an error.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Authenticator, User } from '../auth/authenticator.js';
import { parseCookies, type SessionCache } from '../auth/session-cache.js';
import { GatewayError } from '../errors.js';

/** Authenticates users of the API. */
export interface UserAuth {
  /** The request's user; throws the 401 challenge when there is none. */
  require(req: FastifyRequest): Promise<User>;
  /** An `onSend` hook adding the session cookie to successful answers. */
  onSend(req: FastifyRequest, reply: FastifyReply): void;
}

/** Creates the user authentication step over an authenticator and the session cache. */
export function createUserAuth(authenticator: Authenticator, sessions: SessionCache): UserAuth {
  const pending = new WeakMap<FastifyRequest, string>();
  return {
    async require(req) {
      const cookie = parseCookies(req.headers.cookie).get(sessions.cookieName);
      if (cookie !== undefined) {
        const user = sessions.lookup(cookie);
        if (user !== null) return user;
      }
      const user = await authenticator.authenticate(req.headers);
      if (user === null) {
        throw new GatewayError('unauthenticated', 'Authentication required', {
          headers: { 'WWW-Authenticate': authenticator.challenge },
        });
      }
      pending.set(req, sessions.store(user));
      return user;
    },
    onSend(req, reply) {
      const value = pending.get(req);
      if (value !== undefined && reply.statusCode < 400) {
        void reply.header('Set-Cookie', sessions.setCookieHeader(value));
      }
    },
  };
}
