/**
 * The composition root: builds one gateway from a loaded configuration out of the wiring
 * modules (`wiring/store.ts`, `wiring/clusters.ts`, `wiring/auth.ts`, `wiring/api.ts`,
 * `wiring/public-port.ts`, …), each dependency before what needs it, then listens and starts
 * the reconciler. Nothing here is module-level, so several gateways can run in one process.
 * @module
 */
import { roleOf } from './ha/role-header.js';
import type { Logger } from 'pino';
import { createAccessControl } from './access/access-control.js';
import type { RouteInfo } from './api/app.js';
import { createDashboardGrants } from './auth/dashboard-grants.js';
import type { ClusterFirewall } from './backends/local/isolation.js';
import { startNetworkFirewall } from './backends/local/network-isolation.js';
import { systemClock, type Clock } from './clock.js';
import type { HeartbeatParser } from './clusters/heartbeat-parser.js';
import type { ClusterManager } from './clusters/manager.js';
import type { GatewayConfig } from './config/load.js';
import type { EventRecorder } from './events/event-recorder.js';
import { crashAt } from './faults/crash.js';
import { gateManager } from './ha/follower-gate.js';
import { createLeaderRole, exitDeposed, type LeaderRole } from './ha/leader-role.js';
import type { Leadership } from './ha/leadership.js';
import { createFaultPoints, type FaultPoint, type FaultPoints } from './faults/fault-points.js';
import type { GatewayMetrics } from './observability/metrics.js';
import { createClientTracker } from './proxy/client-tracker.js';
import { baseUrl } from './proxy/public-server.js';
import { RouteTable } from './proxy/route-table.js';
import { preloadClusterTls } from './tls/certs.js';
import { createApiServing, type ApiServing } from './wiring/api.js';
import { createAuthWiring } from './wiring/auth.js';
import { createClusterOptions } from './wiring/cluster-options.js';
import { createClusterRoutes, externalProxy, type ExternalProxy } from './wiring/cluster-routes.js';
import { createClusterCore, type ClusterCore } from './wiring/clusters.js';
import { builtinBackends, type BackendRegistry } from './backends/registry.js';
import { configuredLogger, type LogOutput } from './wiring/logger.js';
import { PublicAddress } from './wiring/public-address.js';
import { openStores, type Stores } from './wiring/store.js';

/** Optional collaborators, for tests and embedding. */
export interface GatewayDeps extends LogOutput {
  readonly log?: Logger;
  readonly clock?: Clock;
  /** The process environment passed on to schedulers and workers (inherited variables). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * What an armed fault point (`testing.crash_at`) does; by default the gateway SIGKILLs itself.
   * Tests of the plumbing pass their own.
   */
  readonly onFaultPoint?: (point: FaultPoint) => void;
  /** Milliseconds between SSE keep-alive comments (default 15 000). */
  readonly sseKeepAliveMs?: number;
  /** The network firewall told about isolated clusters' uids and addresses, if any. */
  readonly firewall?: ClusterFirewall;
  /** The backend types (the config was loaded with); the ones this release ships by default. */
  readonly backends?: BackendRegistry;
  /** What a replica that stopped leading does (PostgreSQL); by default it exits (EXIT_DEPOSED). */
  readonly onDeposed?: (reason: string) => void;
}

/** A running gateway. */
export interface Gateway {
  /** Base URL of the public port, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  readonly port: number;
  readonly manager: ClusterManager;
  readonly routes: RouteTable;
  /** Every API route (method and URL pattern), as registered. */
  readonly apiRoutes: readonly RouteInfo[];
  /** The OpenAPI document of the API. */
  openapi(): unknown;
  /** This gateway's metrics (its own registry). */
  readonly metrics: GatewayMetrics;
  /** This installation's instance id (in every scheduler's and worker's environment). */
  readonly instanceId: string;
  /** Whether clusters run under uids of their own (`backend.isolation`, resolved). */
  readonly isolated: boolean;
  /** An admin API token issued at first start (shown once), or null. */
  readonly bootstrapToken: string | null;
  /** Why cluster ports are open to every local user (for the start banner), or null. */
  readonly networkWarning: string | null;
  /** The event recorder (its bus, its store). */
  readonly events: EventRecorder;
  /** Whether this replica leads (always, with SQLite), its replica id and epoch. */
  readonly leadership: Leadership;
  /** Parses heartbeat bodies (tests read how many went to a worker thread). */
  readonly heartbeatParser: Pick<HeartbeatParser, 'offLoopParses'>;
  /** Stops serving; stops clusters too when `stop_clusters_on_shutdown` is set. */
  stop(): Promise<void>;
}

/** The fault points `testing.crash_at` arms (a warning when one is). */
function armFaults(config: GatewayConfig, deps: GatewayDeps, log: Logger): FaultPoints {
  const faults = createFaultPoints(config.testing.crash_at, deps.onFaultPoint ?? crashAt);
  if (config.testing.crash_at !== null) {
    log.warn({ fault_point: config.testing.crash_at }, 'test mode: a fault point is armed');
  }
  return faults;
}

/** Listens: on the public port, or on the private API port behind the external proxy. */
async function listen(
  config: GatewayConfig,
  serving: ApiServing,
  proxy: ExternalProxy
): Promise<{ url: string; port: number }> {
  if (proxy === null) {
    const bound = await serving.server.listen(config.listen.host, config.listen.port);
    return { url: baseUrl(bound), port: bound.port };
  }
  // The proxy owns the public port; its address is what clients and schedulers use.
  await serving.server.listen(config.proxy.apiListen.host, config.proxy.apiListen.port);
  try {
    const url = (await proxy.connect()).public_url;
    return { url, port: Number(new URL(url).port) };
  } catch (err) {
    await serving.close();
    throw err;
  }
}

/** Issues the bootstrap admin token at first start (`access.bootstrap_admin_token`), or null. */
async function bootstrapToken(
  config: GatewayConfig,
  stores: Stores,
  clock: Clock
): Promise<string | null> {
  const { accessStore } = stores;
  if (!config.access.bootstrap_admin_token || (await accessStore.countTokens()) !== 0) return null;
  const issued = await accessStore.issueToken({
    username: 'admin',
    admin: true,
    label: 'bootstrap',
    by: 'gatehouse',
    now: clock.now(),
  });
  stores.audit(
    'gatehouse',
    'issue token',
    'admin',
    'ok',
    `bootstrap admin token ${issued.info.id}`
  );
  return issued.token;
}

/** What the running phase needs from the built gateway. */
interface Built {
  readonly config: GatewayConfig;
  readonly log: Logger;
  readonly clock: Clock;
  readonly stores: Stores;
  readonly core: ClusterCore;
  readonly serving: ApiServing;
  readonly proxy: ExternalProxy;
  readonly routes: RouteTable;
  readonly address: PublicAddress;
  readonly role: LeaderRole;
}

/** Builds every part of a gateway, none of it serving yet. */
async function build(config: GatewayConfig, deps: GatewayDeps): Promise<Built> {
  const log = deps.log ?? configuredLogger(config, deps);
  const clock = deps.clock ?? systemClock;
  const haLog = log.child({ module: 'ha' });
  const role = createLeaderRole(config, haLog, deps.onDeposed ?? exitDeposed(haLog));
  const { leadership } = role;
  const stores = await openStores(config, log, clock, leadership.fence);
  const routes = new RouteTable();
  const grants = createDashboardGrants(clock);
  const syncLog = log.child({ module: 'proxy.sync' });
  const proxy = externalProxy(config, routes, clock, syncLog, () => leadership.leading());
  const address = new PublicAddress(config);
  const clientTracker = createClientTracker(clock);
  const core = await createClusterCore(config, {
    backends: deps.backends ?? builtinBackends(),
    stores,
    clock,
    log,
    env: deps.env ?? {},
    ...(deps.firewall === undefined ? {} : { firewall: deps.firewall }),
    faults: armFaults(config, deps, log),
    routes: createClusterRoutes(config.prefix, routes, grants, proxy),
    proxy,
    clientTracker,
    apiUrl: () => address.apiUrl(),
  });
  const access = await createAccessControl(config.access, stores.accessStore, clock);
  const options = await createClusterOptions(config, log, clock, core.environmentAccess);
  const { policy } = core;
  const auth = createAuthWiring(config, { stores, access, policy, clock, log });
  const serving = await createApiServing(config, {
    stores,
    core: { ...core, manager: gateManager(core.manager, leadership) },
    auth,
    access,
    options,
    routes,
    grants,
    proxy,
    clientTracker,
    clock,
    log,
    sseKeepAliveMs: deps.sseKeepAliveMs ?? 15_000,
    role: () => roleOf(leadership),
  });
  return { config, log, clock, stores, core, serving, proxy, routes, address, role };
}

/** Listens, starts the firewall resync and the reconciler; returns the running gateway. */
async function run(b: Built): Promise<Gateway> {
  const { config, log, core, serving, proxy, stores } = b;
  const { url, port } = await listen(config, serving, proxy);
  b.address.set(url);
  const apiUrl = b.address.apiUrl();
  const { firewall } = core.network;
  const stopResync =
    firewall === null
      ? () => undefined
      : await startNetworkFirewall(firewall, apiUrl, config.timing.orphanScanPeriod, log);
  // The leader alone reconciles, sweeps, scans for orphans and syncs routes (ha/leader-role.ts).
  await b.role.start(stores.lease, async () => {
    // What the old leader granted or revoked since this process loaded the shares.
    await stores.shares.reload();
    await core.manager.start();
    core.budgets.start();
    await proxy?.sync.request();
  });
  // Off the start-up path: serving first, the certificate library for the first cluster next.
  setImmediate(() => {
    preloadClusterTls().catch((err: unknown) => {
      log.error({ err }, 'loading the certificate library failed');
    });
  });
  const token = await bootstrapToken(config, stores, b.clock);
  log.info(
    {
      event: 'ready',
      url,
      api_url: apiUrl,
      store: config.storePath,
      python_env: config.backend.pythonEnv,
    },
    `Gatehouse listening on ${url}`
  );
  return {
    url,
    port,
    manager: core.manager,
    routes: b.routes,
    instanceId: stores.instanceId,
    isolated: core.isolation?.mode === 'uid',
    bootstrapToken: token,
    networkWarning: core.network.warning,
    apiRoutes: serving.apiRoutes,
    metrics: core.metrics,
    heartbeatParser: serving.heartbeatParser,
    openapi: () => serving.app.swagger(),
    events: stores.events,
    leadership: b.role.leadership,
    async stop() {
      proxy?.stop();
      await core.budgets.close();
      await core.manager.shutdown();
      await b.role.stop();
      await core.backend.close?.();
      stopResync();
      await firewall?.close();
      await proxy?.sync.idle();
      await serving.close();
    },
  };
}

/** Builds and starts a gateway from a loaded configuration. */
export async function startGateway(
  config: GatewayConfig,
  deps: GatewayDeps = {}
): Promise<Gateway> {
  return run(await build(config, deps));
}
