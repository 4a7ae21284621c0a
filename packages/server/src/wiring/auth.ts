/**
 * Who a request is: the authenticator `auth.*` names, session and browser caches, the
 * JupyterHub OAuth client, the password-guess throttle, the per-user rate limit, and the hook
 * that remembers users' groups.
 * @module
 */
import type { Logger } from 'pino';
import type { AccessControl } from '../access/access-control.js';
import { createUserAuth, type UserAuth } from '../api/auth-hook.js';
import { createUserRateLimit, NO_RATE_LIMIT } from '../api/user-rate-limit.js';
import { createBrowserSessions, type BrowserSessions } from '../auth/browser-session.js';
import { createAuthenticator } from '../auth/create-authenticator.js';
import { createHubOAuth } from '../auth/hub-oauth.js';
import { createLoginThrottle, type LoginThrottle } from '../auth/login-throttle.js';
import { createSessionCache } from '../auth/session-cache.js';
import type { Clock } from '../clock.js';
import type { GatewayConfig } from '../config/load.js';
import type { ClusterPolicy } from '../pool/cluster-policy.js';
import type { Stores } from './store.js';

/** What authentication is built with besides the configuration. */
export interface AuthParts {
  readonly stores: Stores;
  readonly access: AccessControl;
  readonly policy: ClusterPolicy;
  readonly clock: Clock;
  readonly log: Logger;
}

/** The authentication of API and web UI requests. */
export interface AuthWiring {
  readonly userAuth: UserAuth;
  readonly browser: BrowserSessions;
  readonly hubOAuth: ReturnType<typeof createHubOAuth> | null;
  readonly loginThrottle: LoginThrottle;
}

/** The hook that remembers each user's groups (refusals are recorded by the API's error handler). */
function authListeners(p: AuthParts) {
  const { stores, policy, clock, log } = p;
  return {
    onUser: (user: { name: string; groups: readonly string[] }) => {
      if (!policy.observe(user)) return;
      stores.accessStore
        .setUserGroups(user.name, user.groups, clock.now())
        .catch((err: unknown) => {
          log.error({ err, user: user.name }, 'could not remember the groups of a user');
        });
    },
  };
}

/** Builds the authentication `config.auth` and `config.limits` ask for. */
export function createAuthWiring(config: GatewayConfig, p: AuthParts): AuthWiring {
  const { clock } = p;
  const { limits, auth } = config;
  const sessions = createSessionCache({
    cookieName: auth.cookie_name,
    cacheMaxAge: auth.cache_max_age,
    clock,
  });
  const authenticator = createAuthenticator(auth, p.stores.accessStore, clock);
  const rateLimit =
    limits.user_requests_per_second === null
      ? NO_RATE_LIMIT
      : createUserRateLimit(limits.user_requests_per_second, limits.user_request_burst, clock);
  const browser = createBrowserSessions({ clock, path: `${config.prefix}/` });
  const hubOAuth =
    auth.type === 'jupyterhub' && auth.oauth_client_id !== null
      ? createHubOAuth({ ...auth, oauth_client_id: auth.oauth_client_id }, clock)
      : null;
  // One throttle for password guesses on the API (Basic) and at the web UI's login.
  const loginThrottle = createLoginThrottle(
    clock,
    limits.password_failures_burst,
    limits.password_failure_interval
  );
  const userAuth = createUserAuth(
    authenticator,
    sessions,
    browser,
    p.access,
    authListeners(p),
    rateLimit,
    loginThrottle
  );
  return { userAuth, browser, hubOAuth, loginThrottle };
}
