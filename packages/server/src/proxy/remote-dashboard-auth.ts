/**
 * Dashboards behind login in a separately run proxy: the proxy has no users or sessions, so it
 * asks the gateway (`GET <gateway>/api/proxy/dashboard-auth/<cluster>`, see
 * api/routes/dashboard-check.ts) with the browser's own credentials and passes on the refusal
 * the gateway gives. Allowed answers are remembered per cluster and credentials for a short
 * while, so a dashboard's many assets cost one check, and for longer while the gateway cannot be
 * reached (restarting), so dashboards that were open keep working through a restart; without a
 * remembered answer a request in that gap gets the 503 the API gives.
 * @module
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { headerValue } from '../auth/authenticator.js';
import type { Clock } from '../clock.js';
import { GATEWAY_UNAVAILABLE } from './api-forwarder.js';
import type { DashboardAuthorizer, DashboardVerdict } from './public-server.js';

/** How long an allowed answer is used without asking again (milliseconds). */
export const FRESH_MS = 10_000;
/** How long an allowed answer is used while the gateway cannot be reached (milliseconds). */
export const STALE_MS = 10 * 60_000;
/** How long one check may take (milliseconds). */
const CHECK_TIMEOUT_MS = 10_000;
/** At most this many answers are remembered. */
const MAX_REMEMBERED = 10_000;

/** Headers the check carries from the browser's request. */
const PASSED = ['cookie', 'authorization', 'accept', 'x-requested-with', 'x-forwarded-proto'];
/** Headers of a refusal passed back to the browser. */
const RETURNED = ['location', 'www-authenticate', 'content-type', 'cache-control', 'retry-after'];

/** Creates the authorizer asking the gateway at `gatewayUrl` (its private API base). */
export function createRemoteDashboardAuth(opts: {
  readonly gatewayUrl: string;
  readonly prefix: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly fetch?: typeof fetch;
}): DashboardAuthorizer {
  const fetchImpl = opts.fetch ?? fetch;
  const base = `${opts.gatewayUrl.replace(/\/+$/, '')}${opts.prefix}/api/proxy/dashboard-auth/`;
  const allowed = new Map<string, number>();

  const keyOf = (headers: Record<string, string | string[] | undefined>, cluster: string) => {
    const h = createHash('sha256').update(cluster);
    for (const name of ['cookie', 'authorization'])
      h.update(`\0${headerValue(headers, name) ?? ''}`);
    return h.digest('base64url');
  };

  const remember = (key: string) => {
    if (allowed.size >= MAX_REMEMBERED) {
      const now = opts.clock.now();
      for (const [k, t] of allowed) if (now - t >= STALE_MS) allowed.delete(k);
      if (allowed.size >= MAX_REMEMBERED) allowed.clear();
    }
    allowed.delete(key);
    allowed.set(key, opts.clock.now());
  };

  return async (req, cluster): Promise<DashboardVerdict> => {
    const key = keyOf(req.headers, cluster);
    const seen = allowed.get(key);
    const age = seen === undefined ? Infinity : opts.clock.now() - seen;
    if (age < FRESH_MS) return { allow: true };
    const headers: Record<string, string> = {};
    for (const name of PASSED) {
      const v = headerValue(req.headers, name);
      if (v !== undefined) headers[name] = v;
    }
    if (req.url !== undefined) headers['x-forwarded-uri'] = req.url;
    if (req.headers.upgrade !== undefined) headers['x-gatehouse-upgrade'] = '1';
    let res: Response;
    try {
      res = await fetchImpl(base + encodeURIComponent(cluster), {
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
      });
    } catch (err) {
      if (age < STALE_MS) return { allow: true };
      opts.log.info({ err: String(err), cluster }, 'dashboard check: gateway not reachable');
      return {
        allow: false,
        status: 503,
        headers: { 'Content-Type': 'application/json', 'Retry-After': '5' },
        body: JSON.stringify({ error: GATEWAY_UNAVAILABLE, code: 'gateway_unavailable' }),
      };
    }
    if (res.status === 204) {
      await res.body?.cancel();
      remember(key);
      return { allow: true };
    }
    allowed.delete(key);
    const back: Record<string, string> = {};
    for (const name of RETURNED) {
      const v = res.headers.get(name);
      if (v !== null) back[name] = v;
    }
    return { allow: false, status: res.status, headers: back, body: await res.text() };
  };
}
