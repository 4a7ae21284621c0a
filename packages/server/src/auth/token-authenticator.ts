/**
 * API tokens: `Authorization: Bearer <token>` checked against the hashed tokens an admin issued.
 * Wraps the configured authenticator, which handles every other header (and the challenge).
 * @module
 */
import type { AccessStore } from '../store/access-store.js';
import { headerValue, type Authenticator } from './authenticator.js';

/** Adds API-token authentication in front of `inner`. */
export function withApiTokens(inner: Authenticator, store: AccessStore): Authenticator {
  return {
    challenge: inner.challenge,
    async authenticate(headers) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(headers, 'authorization') ?? '');
      if (m === null) return inner.authenticate(headers);
      const info = await store.findToken(m[1] ?? '');
      if (info === undefined) return null;
      return { name: info.username, groups: [], admin: info.admin === 1 };
    },
  };
}
