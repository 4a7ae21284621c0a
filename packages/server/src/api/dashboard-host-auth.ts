/**
 * Dashboard requests on a cluster's own dashboard host (`<cluster>.<domain>`): the single-use
 * code from the gateway's origin is traded for an HttpOnly cookie of that host, and every other
 * request passes only with a live cookie of that cluster whose user may still view it while the
 * cluster is active.
 * @module
 */
import type { User } from '../auth/authenticator.js';
import { headerValue } from '../auth/authenticator.js';
import { isSecureRequest } from '../auth/browser-session.js';
import { DASHBOARD_LOGIN_PATH, dashboardTokens } from '../auth/dashboard-grants.js';
import { isActive } from '../clusters/model.js';
import { GatewayError, forbidden } from '../errors.js';
import type { DashboardVerdict } from '../proxy/ports.js';
import {
  mayViewCluster,
  redirect,
  refusal,
  type DashboardAsk,
  type DashboardAuthDeps,
} from './dashboard-verdicts.js';

/** Whether `user` may view the dashboard on its host: the cluster must still be active. */
function mayViewOnHost(deps: DashboardAuthDeps, user: User | null, name: string): boolean {
  const c = deps.cluster(name);
  if (user === null || c === undefined || !isActive(c)) return false;
  return mayViewCluster(deps.principal(user), c, deps.shared);
}

/** The verdict for a request on the dashboard host of cluster `ask.name`. */
export function onDashboardHost(deps: DashboardAuthDeps, ask: DashboardAsk): DashboardVerdict {
  const { req, name, requestId } = ask;
  const notAllowed = (who: string) =>
    refusal(forbidden(`User ${who} may not view the dashboard of cluster ${name}`), requestId);
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  if (url.pathname === DASHBOARD_LOGIN_PATH) {
    const redeemed = deps.grants.redeem(url.searchParams.get('code') ?? '', name);
    if (redeemed === null)
      return refusal(
        new GatewayError(
          'forbidden',
          'This dashboard sign-in link has expired or was used already: open the dashboard again from its link on the gateway'
        ),
        requestId
      );
    const user = deps.grants.check(redeemed.token, name);
    if (!mayViewOnHost(deps, user, name)) return notAllowed(user?.name ?? '?');
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
      ),
      requestId
    );
  return mayViewOnHost(deps, user, name) ? { allow: true } : notAllowed(user.name);
}
