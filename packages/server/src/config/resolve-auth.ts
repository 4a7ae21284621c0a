/**
 * Resolves the `auth` section: JupyterHub settings completed from the environment the hub
 * gives its services (`JUPYTERHUB_API_URL`, ...).
 * @module
 */
import type { BasicAuthConfig, JupyterHubAuthConfig } from './schema.js';
import { ConfigError } from './config-error.js';

/** JupyterHub settings with the environment's values filled in. */
export interface ResolvedJupyterHubAuth {
  readonly type: 'jupyterhub';
  readonly api_url: string;
  readonly api_token: string;
  readonly service_name: string;
  readonly use_service_access_scopes: boolean;
  readonly admin_from_hub: boolean;
  readonly cookie_name: string | null;
  readonly cache_max_age: number;
  /** The hub's browser-facing URL (no trailing slash). */
  readonly public_url: string;
  /** The OAuth client id for browser login, or null when browser login is off. */
  readonly oauth_client_id: string | null;
  /** The registered redirect URI, or null to build it from each request's address. */
  readonly oauth_callback_url: string | null;
}

/** `v` unless it is missing or empty. */
const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

/** The `auth` section with JupyterHub's settings filled in from `env`. */
export function resolveAuth(
  auth: BasicAuthConfig | JupyterHubAuthConfig,
  env: Readonly<Record<string, string | undefined>>,
  source: string
): BasicAuthConfig | ResolvedJupyterHubAuth {
  if (auth.type === 'basic') return auth;
  const apiUrl = auth.api_url ?? env['JUPYTERHUB_API_URL'];
  const apiToken = auth.api_token ?? env['JUPYTERHUB_API_TOKEN'];
  const problems: string[] = [];
  if (apiUrl === undefined || apiUrl === '') {
    problems.push('auth.api_url: required for JupyterHub (or set JUPYTERHUB_API_URL)');
  }
  if (apiToken === undefined || apiToken === '') {
    problems.push('auth.api_token: required for JupyterHub (or set JUPYTERHUB_API_TOKEN)');
  }
  if (problems.length > 0 || apiUrl === undefined || apiToken === undefined) {
    throw new ConfigError(source, problems);
  }
  const serviceName = auth.service_name ?? env['JUPYTERHUB_SERVICE_NAME'] ?? '';
  const api = apiUrl.replace(/\/+$/, '');
  const publicUrl = auth.public_url ?? nonEmpty(env['JUPYTERHUB_PUBLIC_HUB_URL']);
  const clientId =
    auth.oauth_client_id ??
    nonEmpty(env['JUPYTERHUB_CLIENT_ID']) ??
    (serviceName === '' ? null : `service-${serviceName}`);
  return {
    type: 'jupyterhub',
    api_url: api,
    api_token: apiToken,
    service_name: serviceName,
    use_service_access_scopes: auth.use_service_access_scopes ?? serviceName !== '',
    admin_from_hub: auth.admin_from_hub,
    cookie_name: auth.cookie_name,
    cache_max_age: auth.cache_max_age,
    public_url: (publicUrl ?? api.replace(/\/api$/, '')).replace(/\/+$/, ''),
    oauth_client_id: clientId,
    oauth_callback_url:
      auth.oauth_callback_url ?? nonEmpty(env['JUPYTERHUB_OAUTH_CALLBACK_URL']) ?? null,
  };
}
