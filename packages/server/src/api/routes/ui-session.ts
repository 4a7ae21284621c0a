/**
 * The web UI's login, logout and session routes under `/api/ui/`. Login checks a username and
 * password with the configured Basic authenticator (an empty username takes an API token), starts
 * a browser session and answers without any `WWW-Authenticate` challenge. Login must carry
 * `X-Requested-With` (a cross-site form cannot), so another site cannot log a browser in.
 * With JupyterHub, `/api/ui/oauth/start` and `/api/ui/oauth/callback` run the hub's OAuth flow
 * instead (see auth/hub-oauth.ts); failures come back to the login page with a message.
 * @module
 */
import { BrowserSession, MeJson } from '@gatehouse/api';
import { nextOrHome, safeNext } from '@gatehouse/api/safe-next';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { headerValue } from '../../auth/authenticator.js';
import { isSecureRequest } from '../../auth/browser-session.js';
import type { BrowserSessions } from '../../auth/browser-session.js';
import { OAUTH_STATE_COOKIE, OAUTH_STATE_MAX_AGE, type HubOAuth } from '../../auth/hub-oauth.js';
import { parseCookies } from '../../auth/session-cache.js';
import { sourceOf, type LoginThrottle } from '../../auth/login-throttle.js';
import { isRecord } from '../../cluster-options/guards.js';
import { GatewayError, forbidden, invalid, notFound } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';

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

const OAUTH_PATH = '/api/ui/oauth';

/** The check of post-login targets, shared with the web UI (see `@gatehouse/api/safe-next`). */
export { safeNext };

const secure = (req: FastifyRequest) => isSecureRequest(req.headers, false);

function fromUi(req: FastifyRequest): void {
  if (headerValue(req.headers, 'x-requested-with') === undefined)
    throw forbidden('Log in through the Gatehouse web UI (requests need X-Requested-With)');
}

/** Registers `/api/ui/session`, `/api/ui/login` and `/api/ui/logout`. */
export function registerUiSessionRoutes(app: ApiApp, ctx: ApiContext, deps: UiSessionDeps): void {
  const login = deps.authType === 'jupyterhub' ? 'jupyterhub' : 'password';

  app.get(
    '/api/ui/session',
    { schema: { security: [], response: { 200: BrowserSession } } },
    (req) => {
      const s = ctx.userAuth.browserSession(req);
      if (s === null) return { user: null, login };
      const p = ctx.access.principal(s.user);
      return {
        user: { name: p.name, groups: [...p.groups], admin: p.admin, granted: p.granted },
        login,
      };
    }
  );

  app.post(
    '/api/ui/login',
    {
      schema: {
        security: [],
        description:
          'Browser login of the web UI (needs X-Requested-With); sets its session cookie.',
        body: Type.Object({ username: Type.String(), password: Type.String() }),
        response: { 200: MeJson },
      },
    },
    async (req: FastifyRequest, reply: FastifyReply) => {
      fromUi(req);
      if (deps.authType === 'jupyterhub')
        throw invalid('This gateway logs browsers in through JupyterHub, not with a password');
      const body: unknown = req.body;
      const username = isRecord(body) ? body['username'] : undefined;
      const password = isRecord(body) ? body['password'] : undefined;
      if (typeof username !== 'string' || typeof password !== 'string' || username.length > 256)
        throw invalid('The body must be {"username": "...", "password": "..."}');
      const name = username.trim();
      deps.loginThrottle.check(name, sourceOf(req));
      const user = await ctx.userAuth.checkPassword(name, password);
      if (user === null) {
        deps.loginThrottle.failed(name, sourceOf(req));
        throw new GatewayError('unauthenticated', 'Wrong username or password', {
          refusal: {
            user: username,
            action: 'ui login',
            reason: 'wrong username or password',
            audit: true,
            event: false,
          },
        });
      }
      deps.loginThrottle.succeeded(name, sourceOf(req));
      const session = deps.browser.create(user);
      const p = ctx.access.principal(user);
      void reply.header('Set-Cookie', deps.browser.setCookies(session, secure(req)));
      return { name: p.name, groups: [...p.groups], admin: p.admin, granted: p.granted };
    }
  );

  const stateCookie = (value: string, age: number, req: FastifyRequest) =>
    `${OAUTH_STATE_COOKIE}=${value}; HttpOnly; Path=${deps.prefix}${OAUTH_PATH}; Max-Age=${String(age)}; SameSite=Lax${secure(req) ? '; Secure' : ''}`;
  const callbackUrl = (req: FastifyRequest) => {
    if (deps.oauthCallbackUrl !== null) return deps.oauthCallbackUrl;
    const host = headerValue(req.headers, 'host') ?? '';
    if (!/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host))
      throw invalid('The request has no usable Host header');
    return `${secure(req) ? 'https' : 'http'}://${host}${deps.prefix}${OAUTH_PATH}/callback`;
  };
  const redirectSchema = (description: string, querystring: Record<string, TSchema>) => ({
    security: [],
    description,
    querystring: Type.Object(querystring),
    response: { 302: Type.Null({ description: 'Redirect (Location header)' }) },
  });
  type WithQuery = FastifyRequest<{ Querystring: Record<string, unknown> }>;
  const oauth = (): HubOAuth => {
    if (deps.oauth === null) {
      throw notFound(
        deps.authType === 'jupyterhub'
          ? 'Browser login through JupyterHub needs auth.oauth_client_id or auth.service_name'
          : 'This gateway logs browsers in with a password, not through JupyterHub'
      );
    }
    return deps.oauth;
  };

  app.get(
    `${OAUTH_PATH}/start`,
    {
      schema: redirectSchema('Starts the browser login through JupyterHub (OAuth).', {
        next: Type.Optional(Type.String({ description: 'Path on this gateway to return to' })),
      }),
    },
    (req: WithQuery, reply: FastifyReply) => {
      const flow = oauth();
      const next = nextOrHome(req.query['next'], deps.prefix);
      const start = flow.begin(next, callbackUrl(req));
      return reply
        .code(302)
        .header('Location', start.location)
        .header('Set-Cookie', stateCookie(start.state, OAUTH_STATE_MAX_AGE, req))
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
      const flow = oauth();
      const str = (k: string) => {
        const v = req.query[k];
        return typeof v === 'string' ? v : undefined;
      };
      const cookieState = parseCookies(headerValue(req.headers, 'cookie')).get(OAUTH_STATE_COOKIE);
      const clear = stateCookie('', 0, req);
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
      return reply
        .code(302)
        .header('Location', location)
        .header('Set-Cookie', cookies)
        .header('Cache-Control', 'no-store')
        .send();
    }
  );

  const logoutSchema = { security: [], response: { 204: Type.Null() } };
  app.post(
    '/api/ui/logout',
    { schema: logoutSchema },
    async (req: FastifyRequest, reply: FastifyReply) => {
      const s = ctx.userAuth.browserSession(req);
      if (s !== null) {
        await ctx.userAuth.identify(req); // the CSRF check
        deps.browser.destroy(s.id);
      }
      return reply
        .code(204)
        .header('Set-Cookie', deps.browser.clearCookies(secure(req)))
        .send();
    }
  );
}
