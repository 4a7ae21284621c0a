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
 * still view the dashboard.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../access/access-control.js';
import { headerValue, type User } from '../auth/authenticator.js';
import { isBrowserRequest, isSecureRequest } from '../auth/browser-session.js';
import {
  DASHBOARD_LOGIN_PATH,
  dashboardTokens,
  type DashboardGrants,
} from '../auth/dashboard-grants.js';
import { parseCookies } from '../auth/session-cache.js';
import { isActive, type ClusterRecord } from '../clusters/model.js';
import { GatewayError, forbidden } from '../errors.js';
import type { DashboardHosts } from '../proxy/dashboard-host.js';
import type { DashboardAuthorizer, DashboardVerdict } from '../proxy/ports.js';
import type { UserAuth } from './auth-hook.js';
import { STATUS_OF } from './error-handler.js';

type Req = Pick<IncomingMessage, 'headers' | 'method' | 'url'>;

function refusal(err: GatewayError): DashboardVerdict {
  return {
    allow: false,
    status: STATUS_OF[err.code],
    headers: { ...err.headers, 'Content-Type': 'application/json' },
    body: JSON.stringify({ error: err.message, code: err.code }),
  };
}

function redirect(location: string, extra: Record<string, string> = {}): DashboardVerdict {
  return {
    allow: false,
    status: 302,
    headers: { Location: location, 'Cache-Control': 'no-store', ...extra },
    body: '',
  };
}

/** Whether a request was made by a browser (they all send Sec-Fetch-* headers). */
function fromBrowserEngine(req: Req): boolean {
  return ['sec-fetch-mode', 'sec-fetch-site', 'sec-fetch-dest'].some(
    (h) => headerValue(req.headers, h) !== undefined
  );
}

/** What the authorizer is built from. */
export interface DashboardAuthDeps {
  readonly userAuth: UserAuth;
  readonly cluster: (name: string) => ClusterRecord | undefined;
  /** The current access decision for a user (grants and roles as of now). */
  readonly principal: (user: User) => Principal;
  readonly grants: DashboardGrants;
  readonly hosts: DashboardHosts;
  /** The gateway's URL prefix ('' for none). */
  readonly prefix: string;
}

/** Creates the dashboard authorizer. */
export function createDashboardAuth(deps: DashboardAuthDeps): DashboardAuthorizer {
  /** Whether `p` may view the dashboard; on a dashboard host only while the cluster runs. */
  const mayView = (p: Principal, name: string, onHost = false): boolean => {
    const c = deps.cluster(name);
    if (c === undefined || (onHost && !isActive(c))) return false;
    return p.admin || (p.granted && c.username === p.name);
  };
  const notAllowed = (who: string, name: string) =>
    refusal(forbidden(`User ${who} may not view the dashboard of cluster ${name}`));

  const onDashboardHost = (req: Req, name: string): DashboardVerdict => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    if (url.pathname === DASHBOARD_LOGIN_PATH) {
      const redeemed = deps.grants.redeem(url.searchParams.get('code') ?? '', name);
      if (redeemed === null)
        return refusal(
          new GatewayError(
            'forbidden',
            'This dashboard sign-in link has expired or was used already: open the dashboard again from its link on the gateway'
          )
        );
      const user = deps.grants.check(redeemed.token, name);
      if (user === null || !mayView(deps.principal(user), name, true))
        return notAllowed(user?.name ?? '?', name);
      const secure = isSecureRequest(req.headers, false);
      return redirect(redeemed.path, { 'Set-Cookie': deps.grants.cookie(redeemed.token, secure) });
    }
    let user: User | null = null;
    for (const token of dashboardTokens(headerValue(req.headers, 'cookie')))
      user ??= deps.grants.check(token, name);
    if (user === null)
      return refusal(
        new GatewayError(
          'unauthenticated',
          `Open the dashboard of cluster ${name} through its link on the gateway (cluster.dashboard_link)`
        )
      );
    return mayView(deps.principal(user), name, true)
      ? { allow: true }
      : notAllowed(user.name, name);
  };

  const onGatewayOrigin = async (req: Req, name: string): Promise<DashboardVerdict> => {
    let principal: Principal;
    try {
      principal = await deps.userAuth.identify(req);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      const browser = isBrowserRequest(req.headers, parseCookies(req.headers.cookie));
      if (err.code === 'unauthenticated' && browser && req.headers.upgrade === undefined) {
        const next = encodeURIComponent(req.url ?? `${deps.prefix}/clusters/${name}/status`);
        return redirect(`${deps.prefix}/ui/login?next=${next}`);
      }
      return refusal(err);
    }
    if (!mayView(principal, name)) return notAllowed(principal.name, name);
    if (headerValue(req.headers, 'authorization') !== undefined && !fromBrowserEngine(req))
      return { allow: true, sandbox: true };
    const origin = deps.hosts.originFor(
      name,
      headerValue(req.headers, 'host'),
      isSecureRequest(req.headers, false)
    );
    const navigable = ['GET', 'HEAD'].includes((req.method ?? 'GET').toUpperCase());
    if (origin === null || req.headers.upgrade !== undefined || !navigable)
      return refusal(
        forbidden(
          origin === null
            ? 'Dashboards are served on a host of their own, and this gateway has none for browsers that reach it by this name: the operator sets proxy.dashboard_domain (a wildcard DNS name, e.g. dashboards.example.org). Scripts can still fetch the dashboard with their credentials.'
            : `The dashboard of cluster ${name} is served on its own host: open it through its link`
        )
      );
    const code = deps.grants.issueCode(name, principal, req.url ?? '/');
    return redirect(`${origin}${DASHBOARD_LOGIN_PATH}?code=${encodeURIComponent(code)}`);
  };

  return async (req, name) => {
    const onHost = deps.hosts.clusterOf(headerValue(req.headers, 'host'));
    if (onHost === null) return onGatewayOrigin(req, name);
    return onHost === name ? onDashboardHost(req, name) : notAllowed('?', name);
  };
}
