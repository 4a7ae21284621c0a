/**
 * Browser login through JupyterHub: `/api/ui/oauth/start` sends the browser to the hub with a
 * state bound to it by a cookie, and `/api/ui/oauth/callback` trades the hub's code for a
 * session (see auth/hub-oauth.ts); a failed login comes back to the login page with a message
 * and is audited.
 * @module
 */
import { nextOrHome } from '@gatehouse/api/safe-next';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { headerValue } from '../../auth/authenticator.js';
import { OAUTH_STATE_COOKIE, OAUTH_STATE_MAX_AGE, type HubOAuth } from '../../auth/hub-oauth.js';
import { parseCookies } from '../../auth/session-cache.js';
import { GatewayError, invalid, notFound } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { secure, type UiSessionDeps } from './ui-session-deps.js';

/** Where the OAuth routes live under the gateway's prefix. */
const OAUTH_PATH = '/api/ui/oauth';

/** The cookie binding an OAuth login to the browser that started it. */
function stateCookie(deps: UiSessionDeps, value: string, age: number, req: FastifyRequest) {
  return `${OAUTH_STATE_COOKIE}=${value}; HttpOnly; Path=${deps.prefix}${OAUTH_PATH}; Max-Age=${String(age)}; SameSite=Lax${secure(req) ? '; Secure' : ''}`;
}

/** The redirect URI registered with the hub, or built from the request's address. */
function callbackUrl(deps: UiSessionDeps, req: FastifyRequest): string {
  if (deps.oauthCallbackUrl !== null) return deps.oauthCallbackUrl;
  const host = headerValue(req.headers, 'host') ?? '';
  if (!/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host))
    throw invalid('The request has no usable Host header');
  return `${secure(req) ? 'https' : 'http'}://${host}${deps.prefix}${OAUTH_PATH}/callback`;
}

/** The schema of a route answering with a redirect. */
function redirectSchema(description: string, querystring: Record<string, TSchema>) {
  return {
    security: [],
    description,
    querystring: Type.Object(querystring),
    response: { 302: Type.Null({ description: 'Redirect (Location header)' }) },
  };
}

type WithQuery = FastifyRequest<{ Querystring: Record<string, unknown> }>;

/** The hub's OAuth flow; 404 when this gateway has none. */
function oauthOf(deps: UiSessionDeps): HubOAuth {
  if (deps.oauth === null) {
    throw notFound(
      deps.authType === 'jupyterhub'
        ? 'Browser login through JupyterHub needs auth.oauth_client_id or auth.service_name'
        : 'This gateway logs browsers in with a password, not through JupyterHub'
    );
  }
  return deps.oauth;
}

/** Trades the hub's answer for a browser session: where to send the browser, and its cookies. */
async function finishLogin(
  ctx: ApiContext,
  deps: UiSessionDeps,
  req: WithQuery
): Promise<{ location: string; cookies: string[] }> {
  const flow = oauthOf(deps);
  const str = (k: string) => {
    const v = req.query[k];
    return typeof v === 'string' ? v : undefined;
  };
  const cookieState = parseCookies(headerValue(req.headers, 'cookie')).get(OAUTH_STATE_COOKIE);
  const clear = stateCookie(deps, '', 0, req);
  let location: string;
  const cookies = [clear];
  try {
    const { user, next } = await flow.finish(
      { code: str('code'), state: str('state'), error: str('error') },
      cookieState
    );
    const session = deps.browser.create(user);
    cookies.push(...deps.browser.setCookies(session, secure(req)));
    location = next;
  } catch (err) {
    if (!(err instanceof GatewayError) || err.code === 'internal') throw err;
    req.log.warn({ err }, 'browser login through JupyterHub failed');
    ctx.audit('anonymous', 'ui login', '', 'refused', `through JupyterHub: ${err.message}`);
    location = `${deps.prefix}/ui/login?error=${encodeURIComponent(err.message)}`;
  }
  return { location, cookies };
}

/** Registers `/api/ui/oauth/start` and `/api/ui/oauth/callback`. */
export function registerUiOAuthRoutes(app: ApiApp, ctx: ApiContext, deps: UiSessionDeps): void {
  app.get(
    `${OAUTH_PATH}/start`,
    {
      schema: redirectSchema('Starts the browser login through JupyterHub (OAuth).', {
        next: Type.Optional(Type.String({ description: 'Path on this gateway to return to' })),
      }),
    },
    (req: WithQuery, reply: FastifyReply) => {
      const flow = oauthOf(deps);
      const next = nextOrHome(req.query['next'], deps.prefix);
      const start = flow.begin(next, callbackUrl(deps, req));
      return reply
        .code(302)
        .header('Location', start.location)
        .header('Set-Cookie', stateCookie(deps, start.state, OAUTH_STATE_MAX_AGE, req))
        .header('Cache-Control', 'no-store')
        .send();
    }
  );

  app.get(
    `${OAUTH_PATH}/callback`,
    {
      schema: redirectSchema(
        'Where JupyterHub returns the browser after login; sets the session cookie.',
        {
          code: Type.Optional(Type.String()),
          state: Type.Optional(Type.String()),
          error: Type.Optional(Type.String()),
        }
      ),
    },
    async (req: WithQuery, reply: FastifyReply) => {
      const { location, cookies } = await finishLogin(ctx, deps, req);
      return reply
        .code(302)
        .header('Location', location)
        .header('Set-Cookie', cookies)
        .header('Cache-Control', 'no-store')
        .send();
    }
  );
}
