/**
 * What the web UI's session and login routes are built from (a leaf module the password and
 * the JupyterHub login routes share).
 * @module
 */
import type { FastifyRequest } from 'fastify';
import { isSecureRequest, type BrowserSessions } from '../../auth/browser-session.js';
import type { HubOAuth } from '../../auth/hub-oauth.js';
import type { LoginThrottle } from '../../auth/login-throttle.js';

/** What the UI routes need beyond the API context. */
export interface UiSessionDeps {
  readonly browser: BrowserSessions;
  readonly authType: 'basic' | 'jupyterhub';
  /** The hub's OAuth flow, or null (Basic auth, or JupyterHub without an OAuth client id). */
  readonly oauth: HubOAuth | null;
  /** The registered OAuth redirect URI, or null to build it from each request's address. */
  readonly oauthCallbackUrl: string | null;
  /** The gateway's URL prefix ('' for none). */
  readonly prefix: string;
  /** Throttles failed password logins. */
  readonly loginThrottle: LoginThrottle;
}

/** Whether the request reached the gateway over HTTPS (cookies get `Secure`). */
export const secure = (req: FastifyRequest) => isSecureRequest(req.headers, false);
