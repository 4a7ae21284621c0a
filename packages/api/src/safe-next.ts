/**
 * The one check of a post-login `next` target, shared by the server (login redirects, the
 * dashboard check) and the web UI (where it sends the browser after login). It keeps only
 * same-origin absolute paths and refuses everything a browser could read as another site.
 * A leaf module (no imports), so the web bundle takes it without the wire schemas.
 * @module
 */

/** Longest `next` kept. */
const MAX_NEXT = 2000;

/** Control characters, whitespace (any Unicode space, line and paragraph separators) or `\`. */
// Matching control characters is the point of this pattern.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\s\\]/u;

/** `s` percent-decoded until it no longer changes, or null if some layer is malformed. */
function fullyDecoded(s: string): string | null {
  let current = s;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return null;
    }
    if (next === current) return current;
    current = next;
  }
  return null;
}

/** Whether one form of the target is a plain path under `prefix` with no trick in it. */
function plainPath(s: string, prefix: string): boolean {
  if (!s.startsWith(`${prefix}/`) || FORBIDDEN.test(s) || s.includes('//')) return false;
  const after = s.charAt(prefix.length + 1);
  return after !== '/' && after !== '\\';
}

/**
 * `next` if it is a path on this gateway (under `prefix`, '' for none) to return to after
 * login, else null. Kept: `/` followed by a character other than `/` or `\`, with no control
 * character, whitespace, `\` or `//` anywhere, neither as sent nor after percent-decoding, and
 * resolving on the gateway's own origin. Refused: schemes, protocol-relative and backslash
 * forms and their encoded variants, non-strings and anything longer than 2000 characters.
 */
export function safeNext(next: unknown, prefix = ''): string | null {
  if (typeof next !== 'string' || next.length > MAX_NEXT) return null;
  const decoded = fullyDecoded(next);
  if (decoded === null || !plainPath(next, prefix) || !plainPath(decoded, prefix)) return null;
  const probe = 'http://gatehouse.invalid';
  return new URL(next, probe).origin === probe ? next : null;
}

/** `next` if {@link safeNext} keeps it, else the web UI's home (`<prefix>/ui/`). */
export function nextOrHome(next: unknown, prefix = ''): string {
  return safeNext(next, prefix) ?? `${prefix}/ui/`;
}
