/**
 * Dashboards behind login: a request to `/clusters/<name>/...` (page, asset or WebSocket) passes
 * when it carries the owner's or an admin's browser session, or valid API credentials (an
 * Authorization header or the API session cookie) of the owner or an admin. A browser without
 * them is redirected to the UI's login page (and comes back afterwards); a script gets the 401
 * challenge; another user gets 403.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { isBrowserRequest } from '../auth/browser-session.js';
import { parseCookies } from '../auth/session-cache.js';
import type { ClusterRecord } from '../clusters/model.js';
import { GatewayError, forbidden } from '../errors.js';
import type { DashboardAuthorizer, DashboardVerdict } from '../proxy/public-server.js';
import type { UserAuth } from './auth-hook.js';
import { STATUS_OF } from './error-handler.js';

function refusal(err: GatewayError): DashboardVerdict {
  return {
    allow: false,
    status: STATUS_OF[err.code],
    headers: { ...err.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ error: err.message, code: err.code }),
  };
}

/** Creates the dashboard authorizer; `prefix` is the gateway's URL prefix ('' for none). */
export function createDashboardAuth(deps: {
  readonly userAuth: UserAuth;
  readonly cluster: (name: string) => ClusterRecord | undefined;
  readonly prefix: string;
}): DashboardAuthorizer {
  return async (req: Pick<IncomingMessage, 'headers' | 'method' | 'url'>, name: string) => {
    let principal;
    try {
      principal = await deps.userAuth.identify(req);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      const browser = isBrowserRequest(req.headers, parseCookies(req.headers.cookie));
      if (err.code === 'unauthenticated' && browser && req.headers.upgrade === undefined) {
        const next = encodeURIComponent(req.url ?? `${deps.prefix}/clusters/${name}/status`);
        return {
          allow: false,
          status: 302,
          headers: {
            Location: `${deps.prefix}/ui/login?next=${next}`,
            'Cache-Control': 'no-store',
          },
          body: '',
        };
      }
      return refusal(err);
    }
    const c = deps.cluster(name);
    if (
      c !== undefined &&
      (principal.admin || (principal.granted && c.username === principal.name))
    )
      return { allow: true };
    return refusal(
      forbidden(`User ${principal.name} may not view the dashboard of cluster ${name}`)
    );
  };
}
