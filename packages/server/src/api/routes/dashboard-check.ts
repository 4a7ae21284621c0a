/**
 * `GET /api/proxy/dashboard-auth/{cluster_name}`: the dashboard login check for a separately run
 * proxy (`proxy.mode: external`), which holds no users or sessions of its own. The proxy sends
 * the browser's credentials (Cookie, Authorization) and request kind as they came, the original
 * URL, Host and method in `X-Forwarded-Uri`, `X-Forwarded-Host` and `X-Forwarded-Method`; the gateway answers 204 when the request may reach the
 * dashboard, or the refusal the embedded proxy would give (the redirect to login, 401, 403) for
 * the proxy to pass on. The answer speaks only of the caller's own credentials.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { headerValue } from '../../auth/authenticator.js';
import type { DashboardAuthorizer } from '../../proxy/ports.js';
import { BROWSER_HEADER, SANDBOX_HEADER } from '../../proxy/remote-dashboard-auth.js';
import type { ApiApp } from '../api-app.js';
import { safeNext } from './ui-session.js';

/** Header in which the proxy marks a WebSocket upgrade it is checking. */
export const DASHBOARD_UPGRADE_HEADER = 'x-gatehouse-upgrade';
/** Path of the check under the gateway's prefix, before the cluster name. */
export const DASHBOARD_CHECK_PATH = '/api/proxy/dashboard-auth/';

/** Registers the check, answering with `authorize` (the embedded proxy's authorizer). */
export function registerDashboardCheckRoute(
  app: ApiApp,
  authorize: DashboardAuthorizer,
  prefix: string
): void {
  app.get(
    `${DASHBOARD_CHECK_PATH}:cluster_name`,
    {
      schema: {
        security: [],
        hide: true,
        response: { 204: Type.Null({ description: 'The request may reach the dashboard' }) },
      },
    },
    async (req: FastifyRequest<{ Params: { cluster_name: string } }>, reply: FastifyReply) => {
      const name = req.params.cluster_name;
      // The proxy's own Host and Sec-Fetch-* (fetch() sets them) are not the browser's.
      const {
        upgrade: _ignored,
        host: _own,
        'sec-fetch-mode': _mode,
        'sec-fetch-site': _site,
        'sec-fetch-dest': _dest,
        ...rest
      } = req.headers;
      const host = headerValue(req.headers, 'x-forwarded-host');
      const mode = headerValue(req.headers, BROWSER_HEADER);
      const headers = {
        ...rest,
        // The refusal names the id of this check, which is the proxy's id for the request.
        'x-request-id': req.id,
        ...(host === undefined ? {} : { host }),
        ...(mode === undefined ? {} : { 'sec-fetch-mode': mode }),
      };
      const upgrade = headerValue(req.headers, DASHBOARD_UPGRADE_HEADER) !== undefined;
      const method = headerValue(req.headers, 'x-forwarded-method') ?? 'GET';
      const url =
        safeNext(headerValue(req.headers, 'x-forwarded-uri'), prefix) ??
        `${prefix}/clusters/${name}/status`;
      const verdict = await authorize(
        { method, url, headers: upgrade ? { ...headers, upgrade: 'websocket' } : headers },
        name
      );
      if (verdict.allow) {
        if (verdict.sandbox === true) void reply.header(SANDBOX_HEADER, '1');
        return reply.code(204).send();
      }
      return reply.code(verdict.status).headers(verdict.headers).send(verdict.body);
    }
  );
}
