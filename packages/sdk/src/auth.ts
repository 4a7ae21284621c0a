/**
 * Authentication strategies: each turns credentials into the `Authorization` header the
 * gateway's authenticator expects. They are plain data, so a CLI can save and reload them.
 * @module
 */

/** HTTP Basic: a username and the gateway's password (any password when none is configured). */
export interface BasicAuth {
  readonly type: 'basic';
  readonly username: string;
  /** Default: the empty string. */
  readonly password?: string;
}

/** A JupyterHub API token, sent as `Authorization: jupyterhub <t>` (as the Python client does). */
export interface JupyterHubAuth {
  readonly type: 'jupyterhub';
  readonly token: string;
}

/** A Gatehouse API token issued by an admin, sent as `Authorization: Bearer <t>`. */
export interface TokenAuth {
  readonly type: 'token';
  readonly token: string;
}

/** Any supported way to authenticate. */
export type Auth = BasicAuth | JupyterHubAuth | TokenAuth;

/** Basic authentication for `username` with `password` (default: empty). */
export function basicAuth(username: string, password = ''): BasicAuth {
  return { type: 'basic', username, password };
}

/** JupyterHub token authentication (e.g. the `JUPYTERHUB_API_TOKEN` of a notebook server). */
export function jupyterHubAuth(token: string): JupyterHubAuth {
  return { type: 'jupyterhub', token };
}

/** API token authentication with a token from `gatehouse admin tokens issue`. */
export function tokenAuth(token: string): TokenAuth {
  return { type: 'token', token };
}

/** Base64 of the UTF-8 bytes of `text` (works where `btoa` exists: browsers and Node). */
function base64Utf8(text: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The `Authorization` header value for `auth`. */
export function authorizationHeader(auth: Auth): string {
  switch (auth.type) {
    case 'basic':
      return `Basic ${base64Utf8(`${auth.username}:${auth.password ?? ''}`)}`;
    case 'jupyterhub':
      return `jupyterhub ${auth.token}`;
    case 'token':
      return `Bearer ${auth.token}`;
  }
}
