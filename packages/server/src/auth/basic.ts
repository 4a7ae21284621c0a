/**
 * HTTP Basic authentication (spec §2.3): any username, and an optional shared password.
 * @module
 */
import { sameSecret } from './same-secret.js';
import { headerValue, type Authenticator, type Headers, type User } from './authenticator.js';
import { verifyPassword } from './password-hash.js';

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

/**
 * A Basic authenticator. `password` is a shared password (null or empty accepts any);
 * `users` maps usernames to password hashes (see `password-hash.ts`): when it is non-empty,
 * only those users may log in, each with their own password.
 */
export function createBasicAuthenticator(
  password: string | null,
  users: Readonly<Record<string, string>> = {}
): Authenticator {
  const perUser = Object.keys(users).length > 0;
  return {
    challenge: 'Basic',
    async authenticate(headers: Headers): Promise<User | null> {
      const creds = parseBasic(headerValue(headers, 'authorization'));
      if (creds === null) return null;
      if (perUser) {
        const hash = Object.hasOwn(users, creds.username) ? users[creds.username] : undefined;
        if (hash === undefined || !(await verifyPassword(creds.password, hash))) return null;
      } else if (password !== null && password !== '' && !sameSecret(creds.password, password)) {
        return null;
      }
      return { name: creds.username, groups: [], admin: false };
    },
  };
}
