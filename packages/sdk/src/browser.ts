/**
 * Using the SDK in a browser logged in to the Gatehouse web UI: the session cookie travels by
 * itself (same origin); the UI adds `X-Requested-With` to every request (so the gateway never
 * answers with a Basic challenge) and the CSRF token to state-changing ones.
 * @module
 */
import { CSRF_COOKIE_NAME, CSRF_HEADER_NAME } from '@gatehouse/api';
import type { RequestSpec } from './transport.js';

/** The CSRF token in a `Cookie`-style string (`document.cookie`), or ''. */
export function csrfToken(cookies: string): string {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=');
    if (eq >= 0 && part.slice(0, eq).trim() === CSRF_COOKIE_NAME) return part.slice(eq + 1).trim();
  }
  return '';
}

/**
 * A `headers` option for {@link GatewayOptions} in a browser: `cookies` reads the current
 * cookies (pass `() => document.cookie`).
 */
export function browserSessionHeaders(
  cookies: () => string
): (spec: RequestSpec) => Readonly<Record<string, string>> {
  return (spec) =>
    spec.method === 'GET'
      ? { 'X-Requested-With': 'gatehouse-sdk' }
      : { 'X-Requested-With': 'gatehouse-sdk', [CSRF_HEADER_NAME]: csrfToken(cookies()) };
}
