/**
 * Builds the Fastify application serving the API on the public server's HTTP side: request
 * ids (the `X-Request-Id` header, echoed when a client sends a sane one, and `request_id` on
 * every log line and error body), request metrics, body size caps and the OpenAPI document.
 *
 * Request bodies and query strings are validated by the handlers themselves (their messages
 * name the offending field, as the Python client shows them), so the route schemas for bodies
 * and query strings document the API but do not run through Ajv; response schemas serialise.
 * @module
 */
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { ApiHost, DashboardAuthorizer } from '../proxy/ports.js';
import type { ApiApp } from './api-app.js';
import type { ApiContext } from './context.js';
import { ROLE_HEADER } from '../ha/role-header.js';
import { installErrorHandling } from './error-handler.js';
import { createRefusalRecorder } from './refusals.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import { registerOpenApi, registerOpenApiRoute } from './openapi.js';
import { registerClusterRoutes } from './routes/clusters.js';
import { registerMetaRoutes } from './routes/meta.js';
import { registerAccessRoutes } from './routes/access.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerLogRoutes } from './routes/logs.js';
import { registerMetricsRoute } from './routes/metrics.js';
import { registerEventRoutes } from './routes/events.js';
import { registerMyClusterRoutes } from './routes/my-clusters.js';
import { registerUiSessionRoutes, type UiSessionDeps } from './routes/ui-session.js';
import { registerUiStaticRoutes } from './routes/ui-static.js';
import { registerNamedDashboardRoute } from './routes/named-dashboard.js';
import { registerShareRoutes } from './routes/cluster-shares.js';
import { registerBudgetRoutes } from './routes/budgets.js';
import { registerSecurityHeaders } from './security-headers.js';
import { registerDashboardCheckRoute } from './routes/dashboard-check.js';

/** What the web UI's routes are built from. */
export interface UiOptions extends UiSessionDeps {
  /** Directory of the built single-page app. */
  readonly dir: string;
  /** Who may see which dashboard (also answered to a separately run proxy). */
  readonly dashboardAuth: DashboardAuthorizer;
}

/** One registered API route. */
export interface RouteInfo {
  readonly method: string;
  readonly url: string;
}

/** Creates the API app bound to `server`'s HTTP side (not listening by itself). */
export async function createApiApp(
  ctx: ApiContext,
  server: ApiHost,
  log: Logger,
  ui: UiOptions
): Promise<{ app: ApiApp; routes: readonly RouteInfo[] }> {
  const app = Fastify({
    loggerInstance: log,
    bodyLimit: ctx.bodyLimits.default,
    genReqId: requestIdOf,
    // One debug line per request (below) instead of Fastify's two info lines.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'request_id',
    }),
    serverFactory: (handler) => {
      server.setApiHandler(handler);
      return server.httpServer;
    },
  });
  // Handlers validate bodies and query strings with actionable messages (see the module doc).
  app.setValidatorCompiler(() => (value: unknown) => ({ value }));
  app.addHook('onRequest', (req, reply, done) => {
    void reply.header(REQUEST_ID_HEADER, req.id);
    if (ctx.role !== undefined) void reply.header(ROLE_HEADER, ctx.role());
    done();
  });
  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    ctx.metrics.httpRequest(req.method, route, reply.statusCode, reply.elapsedTime / 1000);
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
  registerSecurityHeaders(app, ui.prefix);
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (opts) => {
    for (const method of [opts.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: opts.url });
    }
  });
  installErrorHandling(app, createRefusalRecorder(ctx));
  await registerOpenApi(app, ctx.version);
  registerMetaRoutes(app, ctx);
  registerClusterRoutes(app, ctx);
  registerAccessRoutes(app, ctx);
  registerAdminRoutes(app, ctx);
  registerLogRoutes(app, ctx);
  registerMetricsRoute(app, ctx);
  registerOpenApiRoute(app);
  registerEventRoutes(app, ctx);
  registerMyClusterRoutes(app, ctx);
  registerUiSessionRoutes(app, ctx, ui);
  registerUiStaticRoutes(app, ui);
  registerDashboardCheckRoute(app, ui.dashboardAuth, ui.prefix);
  registerNamedDashboardRoute(app, ctx, ui.prefix);
  if (ctx.shares !== undefined) registerShareRoutes(app, ctx, ctx.shares);
  if (ctx.budgets !== undefined) registerBudgetRoutes(app, ctx, ctx.budgets);
  await app.ready();
  return { app, routes };
}
