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
import { safeNext } from '@gatehouse/api/safe-next';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { headerValue } from '../../auth/authenticator.js';
import { sourceOf } from '../../auth/login-throttle.js';
import { isRecord } from '../../cluster-options/guards.js';
import { GatewayError, forbidden, invalid } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { meJson } from '../me-json.js';
import { registerUiOAuthRoutes } from './ui-oauth.js';
import { secure, type UiSessionDeps } from './ui-session-deps.js';

export type { UiSessionDeps } from './ui-session-deps.js';

/** The check of post-login targets, shared with the web UI (see `@gatehouse/api/safe-next`). */
export { safeNext };

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
    async (req) => {
      const s = ctx.userAuth.browserSession(req);
      if (s === null) return { user: null, login };
      const p = ctx.access.principal(s.user);
      return { user: await meJson(ctx, p), login };
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
      return meJson(ctx, p);
    }
  );

  registerUiOAuthRoutes(app, ctx, deps);

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
