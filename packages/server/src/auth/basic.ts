/**
 * HTTP Basic authentication (spec §2.3): any username, and an optional shared password.
 * @module
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { headerValue, type Authenticator, type Headers, type User } from './authenticator.js';

/** Splits `Authorization: Basic …` into username and password; null if malformed. */
export function parseBasic(
  header: string | undefined
): { username: string; password: string } | null {
  if (header === undefined) return null;
  const m = /^Basic[ ]+([A-Za-z0-9+/=]*)\s*$/i.exec(header);
  if (m === null) return null;
  const decoded = Buffer.from(m[1] ?? '', 'base64').toString('latin1');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const username = decoded.slice(0, colon);
  if (username === '') return null;
  return { username, password: decoded.slice(colon + 1) };
}

function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

/** A Basic authenticator; `password` null accepts any password. */
export function createBasicAuthenticator(password: string | null): Authenticator {
  return {
    challenge: 'Basic',
    authenticate(headers: Headers): Promise<User | null> {
      const creds = parseBasic(headerValue(headers, 'authorization'));
      if (creds === null) return Promise.resolve(null);
      if (password !== null && password !== '' && !sameSecret(creds.password, password)) {
        return Promise.resolve(null);
      }
      return Promise.resolve({ name: creds.username, groups: [], admin: false });
    },
  };
}
