/**
 * Dashboard requests on the gateway's own origin (`<prefix>/clusters/<name>/...`): the gateway's
 * login check first (a logged-out browser to the login page, a script the 401 challenge, others
 * 403), then a browser is sent to the cluster's dashboard host with a single-use code and a
 * credentialed script is let through, sandboxed. Both are told to `viewedByOther` when the user is
 * not the cluster's owner (the audit log).
 * @module
 */
import type { Principal } from '../access/access-control.js';
import { headerValue } from '../auth/authenticator.js';
import { isBrowserRequest, isSecureRequest } from '../auth/browser-session.js';
import { DASHBOARD_LOGIN_PATH } from '../auth/dashboard-grants.js';
import { parseCookies } from '../auth/session-cache.js';
import { GatewayError, forbidden } from '../errors.js';
import type { DashboardVerdict } from '../proxy/ports.js';
import {
  fromBrowserEngine,
  mayViewCluster,
  redirect,
  refusal,
  type DashboardAsk,
  type DashboardAuthDeps,
} from './dashboard-verdicts.js';

/** The user of the request, or the verdict that sends them to log in (or refuses them). */
async function principalOf(
  deps: DashboardAuthDeps,
  ask: DashboardAsk
): Promise<Principal | DashboardVerdict> {
  const { req, name } = ask;
  try {
    return await deps.userAuth.identify(req);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    const browser = isBrowserRequest(req.headers, parseCookies(req.headers.cookie));
    if (err.code === 'unauthenticated' && browser && req.headers.upgrade === undefined) {
      const next = encodeURIComponent(req.url ?? `${deps.prefix}/clusters/${name}/status`);
      return redirect(`${deps.prefix}/ui/login?next=${next}`);
    }
    return refusal(err, ask.requestId);
  }
}

/** The verdict for a request for the dashboard of `ask.name` on the gateway's origin. */
export async function onGatewayOrigin(
  deps: DashboardAuthDeps,
  ask: DashboardAsk
): Promise<DashboardVerdict> {
  const { req, name, requestId } = ask;
  const principal = await principalOf(deps, ask);
  if ('allow' in principal) return principal;
  const c = deps.cluster(name);
  if (!mayViewCluster(principal, c, deps.shared))
    return refusal(
      forbidden(`User ${principal.name} may not view the dashboard of cluster ${name}`),
      requestId
    );
  const viewed = () => {
    if (c?.username !== principal.name) deps.viewedByOther?.(name, principal);
  };
  if (headerValue(req.headers, 'authorization') !== undefined && !fromBrowserEngine(req)) {
    viewed();
    return { allow: true, sandbox: true };
  }
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
      ),
      requestId
    );
  viewed();
  const code = deps.grants.issueCode(name, principal, req.url ?? '/');
  return redirect(`${origin}${DASHBOARD_LOGIN_PATH}?code=${encodeURIComponent(code)}`);
}
