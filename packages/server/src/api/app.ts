/**
 * Builds the Fastify application serving the API on the public server's HTTP side.
 * @module
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { PublicServer } from '../proxy/public-server.js';
import type { ApiContext } from './context.js';
import { installErrorHandling } from './error-handler.js';
import { registerClusterRoutes } from './routes/clusters.js';
import { registerMetaRoutes } from './routes/meta.js';
import { registerAccessRoutes } from './routes/access.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerLogRoutes } from './routes/logs.js';
import { registerEventRoutes } from './routes/events.js';

/** The Fastify instance type of the API (pino logger, node http server). */
export type ApiApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;

/** One registered API route. */
export interface RouteInfo {
  readonly method: string;
  readonly url: string;
}

/** Creates the API app bound to `server`'s HTTP side (not listening by itself). */
export async function createApiApp(
  ctx: ApiContext,
  server: PublicServer,
  log: Logger
): Promise<{ app: ApiApp; routes: readonly RouteInfo[] }> {
  const app = Fastify({
    loggerInstance: log,
    bodyLimit: 4 * 1024 * 1024,
    // One debug line per request (below) instead of Fastify's two info lines.
    logController: new LogController({ disableRequestLogging: true }),
    serverFactory: (handler) => {
      server.setApiHandler(handler);
      return server.httpServer;
    },
  });
  app.addHook('onResponse', (req, reply, done) => {
    req.log.debug(
      { method: req.method, url: req.url, status: reply.statusCode, ms: reply.elapsedTime },
      'request'
    );
    done();
  });
  app.addHook('onSend', (req, reply, _payload, done) => {
    ctx.userAuth.onSend(req, reply);
    done();
  });
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (opts) => {
    for (const method of [opts.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: opts.url });
    }
  });
  installErrorHandling(app);
  registerMetaRoutes(app, ctx);
  registerClusterRoutes(app, ctx);
  registerAccessRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerLogRoutes(app, ctx);
  registerEventRoutes(app, ctx);
  await app.ready();
  return { app, routes };
}
