/**
 * Builds the authenticator the config names, with API tokens in front of it.
 * @module
 */
import type { Clock } from '../clock.js';
import type { ResolvedJupyterHubAuth } from '../config/load.js';
import type { BasicAuthConfig } from '../config/schema.js';
import type { AccessStore } from '../store/access-store.js';
import type { Authenticator } from './authenticator.js';
import { createBasicAuthenticator } from './basic.js';
import { createJupyterHubAuthenticator } from './jupyterhub.js';
import { withApiTokens } from './token-authenticator.js';

/** The configured authenticator, accepting admin-issued API tokens too. */
export function createAuthenticator(
  auth: BasicAuthConfig | ResolvedJupyterHubAuth,
  tokens: AccessStore,
  clock: Clock
): Authenticator {
  const inner =
    auth.type === 'basic'
      ? createBasicAuthenticator(auth.password, auth.users)
      : createJupyterHubAuthenticator(auth, fetch, clock);
  return withApiTokens(inner, tokens);
}
