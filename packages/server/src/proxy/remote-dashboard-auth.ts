/**
 * Dashboards behind login in a separately run proxy: the proxy has no users or sessions, so it
 * asks the gateway (`GET <gateway>/api/proxy/dashboard-auth/<cluster>`, see
 * api/routes/dashboard-check.ts) with the browser's own credentials and passes on the refusal
 * the gateway gives (a dashboard host's code exchange, with its Set-Cookie, is such an answer;
 * the browser's Host goes along as X-Forwarded-Host). Allowed answers are remembered per cluster and credentials for a short
 * while, so a dashboard's many assets cost one check, and for longer while the gateway cannot be
 * reached (restarting), so dashboards that were open keep working through a restart; without a
 * remembered answer a request in that gap gets the 503 the API gives.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { headerValue } from '../auth/authenticator.js';
import type { Clock } from '../clock.js';
import { requestIdOf } from '../api/request-id.js';
import { rawErrorAnswer } from '../errors-http.js';
import { GATEWAY_UNAVAILABLE } from './api-forwarder.js';
import type { DashboardAuthorizer, DashboardVerdict } from './ports.js';

/** How long an allowed answer is used without asking again (milliseconds). */
export const FRESH_MS = 10_000;
/** How long an allowed answer is used while the gateway cannot be reached (milliseconds). */
export const STALE_MS = 10 * 60_000;
/** How long one check may take (milliseconds). */
const CHECK_TIMEOUT_MS = 10_000;
/** At most this many answers are remembered. */
const MAX_REMEMBERED = 10_000;

/** Headers the check carries from the browser's request. */
const PASSED = [
  'cookie',
  'authorization',
  'accept',
  'x-requested-with',
  'x-forwarded-proto',
  'x-request-id',
];
/** Header saying the browser's request carried Sec-Fetch-* (fetch() sets its own of those). */
export const BROWSER_HEADER = 'x-gatehouse-sec-fetch';
/** Headers of a refusal passed back to the browser (Set-Cookie: a dashboard host's login). */
const RETURNED = [
  'location',
  'www-authenticate',
  'content-type',
  'cache-control',
  'retry-after',
  'set-cookie',
];
/** Header of the check's 204 saying the answer is served on the gateway's origin, sandboxed. */
export const SANDBOX_HEADER = 'x-gatehouse-sandbox';

/** The check route's base URL on the gateway at `gatewayUrl` (asked now if a function). */
function checkBase(gatewayUrl: string | (() => string), prefix: string): string {
  const url = typeof gatewayUrl === 'string' ? gatewayUrl : gatewayUrl();
  return `${url.replace(/\/+$/, '')}${prefix}/api/proxy/dashboard-auth/`;
}

/**
 * Creates the authorizer asking the gateway at `gatewayUrl` (its private API base; a function:
 * asked at each check, e.g. the replica that leads now).
 */
export function createRemoteDashboardAuth(opts: {
  readonly gatewayUrl: string | (() => string);
  readonly prefix: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
}): DashboardAuthorizer {
  const fetchImpl = opts.fetch ?? fetch;
  const base = () => checkBase(opts.gatewayUrl, opts.prefix);
  /** Allowed answers: when, and whether sandboxed. */
  const allowed = new Map<string, { readonly at: number; readonly sandbox: boolean }>();

  const keyOf = (headers: Record<string, string | string[] | undefined>, cluster: string) => {
    const h = createHash('sha256').update(cluster);
    for (const name of ['host', 'cookie', 'authorization', 'sec-fetch-mode'])
      h.update(`\0${headerValue(headers, name) ?? ''}`);
    return h.digest('base64url');
  };

  const remember = (key: string, sandbox: boolean) => {
    if (allowed.size >= MAX_REMEMBERED) {
      const now = opts.clock.now();
      for (const [k, a] of allowed) if (now - a.at >= STALE_MS) allowed.delete(k);
      if (allowed.size >= MAX_REMEMBERED) allowed.clear();
    }
    allowed.delete(key);
    allowed.set(key, { at: opts.clock.now(), sandbox });
  };
  const pass = (sandbox: boolean): DashboardVerdict =>
    sandbox ? { allow: true, sandbox } : { allow: true };

  return async (req, cluster): Promise<DashboardVerdict> => {
    const key = keyOf(req.headers, cluster);
    const seen = allowed.get(key);
    const age = seen === undefined ? Infinity : opts.clock.now() - seen.at;
    if (seen !== undefined && age < FRESH_MS) return pass(seen.sandbox);
    const headers: Record<string, string> = {};
    for (const name of PASSED) {
      const v = headerValue(req.headers, name);
      if (v !== undefined) headers[name] = v;
    }
    if (req.url !== undefined) headers['x-forwarded-uri'] = req.url;
    const host = headerValue(req.headers, 'host');
    if (host !== undefined) headers['x-forwarded-host'] = host;
    if (req.method !== undefined) headers['x-forwarded-method'] = req.method;
    const mode = headerValue(req.headers, 'sec-fetch-mode');
    if (mode !== undefined) headers[BROWSER_HEADER] = mode;
    if (req.headers.upgrade !== undefined) headers['x-gatehouse-upgrade'] = '1';
    let res: Response;
    try {
      res = await fetchImpl(base() + encodeURIComponent(cluster), {
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
      });
    } catch (err) {
      if (seen !== undefined && age < STALE_MS) return pass(seen.sandbox);
      opts.log.info({ err: String(err), cluster }, 'dashboard check: gateway not reachable');
      const a = rawErrorAnswer('gateway_unavailable', GATEWAY_UNAVAILABLE, requestIdOf(req), {
        'Retry-After': '5',
      });
      return { allow: false, status: a.status, headers: a.headers, body: a.body };
    }
    if (res.status === 204) {
      await res.body?.cancel();
      const sandbox = res.headers.get(SANDBOX_HEADER) !== null;
      remember(key, sandbox);
      return pass(sandbox);
    }
    allowed.delete(key);
    const back: Record<string, string> = {};
    for (const name of RETURNED) {
      const v =
        name === 'set-cookie' ? res.headers.getSetCookie().join(', ') : res.headers.get(name);
      if (v !== null && v !== '') back[name] = v;
    }
    return { allow: false, status: res.status, headers: back, body: await res.text() };
  };
}
