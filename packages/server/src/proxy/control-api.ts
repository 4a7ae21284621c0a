/**
 * The control API of a proxy run as its own process (`gatehouse proxy`): the gateway lists,
 * sets and deletes routes and reads client connection counts through it. It listens on its own
 * (private) address and every request must carry the shared token as a bearer token. The
 * routes that change the route table are `control-routes.ts`.
 * @module
 */
import { sameSecret } from '../auth/same-secret.js';
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import { installErrorHandling } from '../api/error-handler.js';
import type { ApiApp } from '../api/api-app.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { ClientTracker } from './client-tracker.js';
import {
  ClientsResponse,
  ProxyInfo,
  RoutesResponse,
  type ClientsResponse as Clients,
} from './control-schemas.js';
import { registerRouteTableRoutes } from './control-routes.js';
import type { RouteTable } from './route-table.js';

/** What the control API is built from. */
export interface ControlApiDeps {
  readonly routes: RouteTable;
  readonly clients: ClientTracker;
  readonly token: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** What `GET /info` answers. */
  readonly info: () => ProxyInfo;
  /** The proxy's own metrics, answered at `GET /metrics` (Prometheus text). */
  readonly metrics?: Pick<GatewayMetrics, 'render' | 'contentType'>;
}

/** Checks `Authorization: Bearer <token>` in constant time. */
function authorized(header: string | undefined, token: string): boolean {
  const m = /^(?:Bearer|token)\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1] !== undefined && sameSecret(m[1], token);
}

/** Builds the control API (not listening; call `listen` on the result). */
export async function createControlApi(deps: ControlApiDeps): Promise<ApiApp> {
  const { routes, clients, token, clock } = deps;
  const app: ApiApp = Fastify({
    loggerInstance: deps.log,
    bodyLimit: 64 * 1024,
    // The gateway polls every few seconds: no line per request.
    logController: new LogController({ disableRequestLogging: true }),
  });
  installErrorHandling(app);
  app.addHook('onRequest', (req, _reply, done) => {
    if (authorized(req.headers.authorization, token)) {
      done();
      return;
    }
    done(
      new GatewayError('unauthenticated', 'The proxy control API needs the proxy token', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      })
    );
  });

  app.get('/info', { schema: { response: { 200: ProxyInfo } } }, () => deps.info());
  const { metrics } = deps;
  if (metrics !== undefined) {
    app.get('/metrics', async (_req, reply) =>
      reply.type(metrics.contentType).send(await metrics.render())
    );
  }
  app.get('/routes', { schema: { response: { 200: RoutesResponse } } }, () => ({
    routes: routes.list(),
  }));
  registerRouteTableRoutes(app, routes, clients);
  app.get('/clients', { schema: { response: { 200: ClientsResponse } } }, () => {
    const now = clock.now();
    const out: Clients['clusters'] = {};
    for (const c of clients.snapshot()) {
      out[c.cluster] = {
        open: c.open,
        idle_ms: c.idleSince === null ? null : Math.max(0, now - c.idleSince),
      };
    }
    return { clusters: out };
  });
  await app.ready();
  return app;
}
