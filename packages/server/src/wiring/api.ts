/**
 * The API and the web UI served on the public port (in-process proxy) or on the private API
 * port behind `gatehouse proxy`, with dashboard authorization.
 * @module
 */
import type { ReplicaRole } from '../ha/role-header.js';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { AccessControl } from '../access/access-control.js';
import { createApiApp } from '../api/app.js';
import { createSharedUseLog } from '../shares/shared-use.js';
import { createDashboardAuth } from '../api/dashboard-auth.js';
import type { DashboardGrants } from '../auth/dashboard-grants.js';
import type { Clock } from '../clock.js';
import { createHeartbeatParser } from '../clusters/heartbeat-parser.js';
import type { GatewayConfig } from '../config/load.js';
import type { ClientTracker } from '../proxy/client-tracker.js';
import { createDashboardHosts } from '../proxy/dashboard-host.js';
import { createPrivateApiServer } from '../proxy/private-api-server.js';
import type { RouteTable } from '../proxy/route-table.js';
import { GATEWAY_VERSION } from '../version.js';
import type { AuthWiring } from './auth.js';
import type { createClusterOptions } from './cluster-options.js';
import type { ClusterCore } from './clusters.js';
import type { ExternalProxy } from './cluster-routes.js';
import { createPublicPort } from './public-port.js';
import type { Stores } from './store.js';

/** The built web UI: `packages/web/dist`, the same from `src/` (tsx) and `dist/` (compiled). */
const WEB_UI_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

/** What the API is built from. */
export interface ApiParts {
  readonly stores: Stores;
  readonly core: ClusterCore;
  readonly auth: AuthWiring;
  readonly access: AccessControl;
  readonly options: Awaited<ReturnType<typeof createClusterOptions>>;
  readonly routes: RouteTable;
  readonly grants: DashboardGrants;
  readonly proxy: ExternalProxy;
  readonly clientTracker: ClientTracker;
  readonly clock: Clock;
  readonly log: Logger;
  readonly sseKeepAliveMs: number;
  /** This replica's role, sent on every response (ha/role-header.ts). */
  readonly role?: () => ReplicaRole;
}

/** The log of sharers' use, and the dashboard authorizer that feeds it. */
function sharerAwareDashboardAuth(config: GatewayConfig, p: ApiParts) {
  const { core, auth, stores } = p;
  const sharedUse = createSharedUseLog({
    audit: stores.audit,
    record: (e) => {
      stores.events.record(e);
    },
    now: () => p.clock.now(),
  });
  const dashboardAuth = createDashboardAuth({
    userAuth: auth.userAuth,
    cluster: (name) => core.manager.get(name),
    principal: (user) => p.access.principal(user),
    grants: p.grants,
    hosts: createDashboardHosts(config.proxy.dashboardDomain),
    prefix: config.prefix,
    shared: (name, user) => stores.shares.levelFor(name, user) !== null,
    viewedByOther: (name, user) => {
      const c = core.manager.get(name);
      const level = stores.shares.levelFor(name, user);
      if (c !== undefined && level !== null) sharedUse(user.name, c, 'dashboard', level);
    },
  });
  return { sharedUse, dashboardAuth };
}

/** Builds the server the API is served on and the API app on it (neither listening yet). */
export async function createApiServing(config: GatewayConfig, p: ApiParts) {
  const { core, auth, stores } = p;
  const { sharedUse, dashboardAuth } = sharerAwareDashboardAuth(config, p);
  const server =
    p.proxy === null
      ? createPublicPort(config, {
          routes: p.routes,
          log: p.log,
          clients: p.clientTracker,
          metrics: core.metrics,
          authorizeDashboard: dashboardAuth,
        })
      : createPrivateApiServer();
  const heartbeatParser = createHeartbeatParser();
  const { limits } = config;
  const { app, routes: apiRoutes } = await createApiApp(
    {
      manager: core.manager,
      heartbeatParser,
      userAuth: auth.userAuth,
      clusterOptions: p.options.service,
      version: GATEWAY_VERSION,
      access: p.access,
      accessStore: stores.accessStore,
      shares: stores.shares,
      sharedUse,
      policy: core.policy,
      budgets: core.budgets,
      clock: p.clock,
      audit: stores.audit,
      environments: p.options.catalog,
      metrics: core.metrics,
      metricsToken: config.metrics.token,
      bodyLimits: { default: limits.max_body_bytes, heartbeat: limits.max_heartbeat_bytes },
      events: stores.events,
      sseKeepAliveMs: p.sseKeepAliveMs,
      ...(p.role === undefined ? {} : { role: p.role }),
    },
    server,
    p.log,
    {
      browser: auth.browser,
      authType: config.auth.type,
      oauth: auth.hubOAuth,
      loginThrottle: auth.loginThrottle,
      oauthCallbackUrl: config.auth.type === 'jupyterhub' ? config.auth.oauth_callback_url : null,
      dir: WEB_UI_DIR,
      prefix: config.prefix,
      dashboardAuth,
    }
  );
  /** Stops serving and closes what the API holds, the stores last. */
  const close = async () => {
    stores.events.close();
    stores.events.bus.close();
    await server.close();
    await app.close();
    await heartbeatParser.close();
    await stores.events.flushed();
    await stores.store.close();
  };
  return { server, app, apiRoutes, heartbeatParser, close };
}

/** The API as served. */
export type ApiServing = Awaited<ReturnType<typeof createApiServing>>;
