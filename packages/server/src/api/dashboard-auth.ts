/**
 * Who may reach a cluster's dashboard, and on which origin (issue 14).
 *
 * On the gateway's origin (`/clusters/<name>/...`, the `dashboard_link`), the gateway's own login
 * check runs first: a logged-out browser is sent to the UI's login page (and comes back), a
 * script gets the 401 challenge, a user who is neither the owner nor an admin gets 403. Then:
 * - a browser navigation is redirected to the cluster's own dashboard host with a short-lived,
 *   single-use code (no dashboard content ever runs in the gateway's origin);
 * - a request authenticated by an Authorization header without the `Sec-Fetch-*` headers every
 *   current browser sends (a script: `requests.get(link, auth=...)`) is proxied directly, its
 *   credentials stripped and the answer under a sandboxing CSP in case a browser renders it;
 * - with no dashboard host usable by this browser (no `proxy.dashboard_domain`, gateway reached by
 *   a non-loopback name) the browser gets 403 saying what the operator must configure.
 * On a dashboard host, the code is traded for an HttpOnly cookie of that host alone, and every
 * request (page, asset, WebSocket) passes only with a live cookie of that cluster whose user may
 * still view the dashboard (dashboard-host-auth.ts; the gateway's origin: dashboard-origin-auth.ts).
 * Every refusal names the request's id (its X-Request-Id, or a new one).
 * @module
 */
import { headerValue } from '../auth/authenticator.js';
import { forbidden } from '../errors.js';
import type { DashboardAuthorizer } from '../proxy/ports.js';
import { onDashboardHost } from './dashboard-host-auth.js';
import { onGatewayOrigin } from './dashboard-origin-auth.js';
import { requestIdOf } from './request-id.js';
import { refusal, type DashboardAuthDeps } from './dashboard-verdicts.js';

export type { DashboardAuthDeps } from './dashboard-verdicts.js';

/** Creates the dashboard authorizer. */
export function createDashboardAuth(deps: DashboardAuthDeps): DashboardAuthorizer {
  return async (req, name) => {
    const ask = { req, name, requestId: requestIdOf(req) };
    const onHost = deps.hosts.clusterOf(headerValue(req.headers, 'host'));
    if (onHost === null) return onGatewayOrigin(deps, ask);
    if (onHost === name) return onDashboardHost(deps, ask);
    return refusal(
      forbidden(`User ? may not view the dashboard of cluster ${name}`),
      ask.requestId
    );
  };
}
