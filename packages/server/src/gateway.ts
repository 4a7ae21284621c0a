/**
 * The composition root: wires config, store, authentication, backend, proxy and API into one
 * gateway instance. Nothing here is module-level, so several gateways can run in one process.
 * @module
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { createApiApp, type RouteInfo } from './api/app.js';
import { createUserAuth } from './api/auth-hook.js';
import { createAuthenticator } from './auth/create-authenticator.js';
import { createSessionCache } from './auth/session-cache.js';
import { createBrowserSessions } from './auth/browser-session.js';
import { createHubOAuth } from './auth/hub-oauth.js';
import { createLoginThrottle } from './auth/login-throttle.js';
import { createHeartbeatParser, type HeartbeatParser } from './clusters/heartbeat-parser.js';
import { createDashboardAuth } from './api/dashboard-auth.js';
import { createDashboardGrants } from './auth/dashboard-grants.js';
import { createDashboardHosts } from './proxy/dashboard-host.js';
import { createLocalBackend } from './backends/local/local-backend.js';
import {
  chooseNetworkIsolation,
  startNetworkFirewall,
  type NetworkIsolation,
} from './backends/local/network-isolation.js';
import type { ClusterFirewall } from './backends/local/isolation.js';
import { planIsolation, type IsolationPlan } from './backends/local/isolation-plan.js';
import { UNPRIVILEGED } from './backends/local/environment-access.js';
import type { Backend, ProcessExit } from './backends/backend.js';
import { createSlurmBackend } from './backends/slurm/slurm-backend.js';
import { createSlurmCli } from './backends/slurm/slurm-cli.js';
import { poolFromNodes } from './backends/slurm/slurm-pool.js';
import { systemClock, type Clock } from './clock.js';
import { createClusterManager, type ClusterManager } from './clusters/manager.js';
import type { ClusterRecord, WorkerRecord } from './clusters/model.js';
import { parseQuotaBody } from './pool/quota-body.js';
import { parseFieldDefinitions } from './cluster-options/fields.js';
import { createClusterOptionsService } from './cluster-options/options-service.js';
import { createEnvironmentCatalog } from './cluster-options/environments.js';
import type { GatewayConfig } from './config/load.js';
import { createLogger } from './observability/logger.js';
import { baseUrl, createPublicServer } from './proxy/public-server.js';
import { createPrivateApiServer } from './proxy/private-api-server.js';
import { createProxyControlClient } from './proxy/control-client.js';
import type { ProxyInfo } from './proxy/control-schemas.js';
import { createRemoteClientCounts } from './proxy/remote-clients.js';
import { createRouteSync } from './proxy/route-sync.js';
import { createMetrics, type GatewayMetrics } from './observability/metrics.js';
import { createUserRateLimit, NO_RATE_LIMIT } from './api/user-rate-limit.js';
import { crashAt } from './faults/crash.js';
import { createFaultPoints, type FaultPoint, type FaultPoints } from './faults/fault-points.js';
import { createClientTracker } from './proxy/client-tracker.js';
import { RouteTable, type Route } from './proxy/route-table.js';
import { createAccessControl } from './access/access-control.js';
import { createClusterPolicy } from './pool/cluster-policy.js';
import { createAccessStore } from './store/access-store.js';
import { createClusterStore } from './store/cluster-store.js';
import { loadOrCreateInstanceId } from './store/instance-id.js';
import { createEventBus } from './events/event-bus.js';
import { createEventRecorder, type EventRecorder } from './events/event-recorder.js';
import { createEventStore } from './events/event-store.js';
import { openDatabase } from './store/db.js';
import { createSecretBox, loadOrCreateKeyFile, parseKey } from './store/secret-box.js';
import { securePrivateDir } from './store/private-files.js';
import { createClusterTls, preloadClusterTls } from './tls/certs.js';
import { GATEWAY_VERSION } from './version.js';

/** Optional collaborators, for tests and embedding. */
export interface GatewayDeps {
  readonly log?: Logger;
  readonly clock?: Clock;
  /** Whether standard output is a terminal (pretty logs with `log.format: auto`). */
  readonly isTty?: boolean;
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
}

/** Reads a system file, '' when it is missing. */
function readSystemFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
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
  /** Parses heartbeat bodies (tests read how many went to a worker thread). */
  readonly heartbeatParser: Pick<HeartbeatParser, 'offLoopParses'>;
  /** Stops serving; stops clusters too when `stop_clusters_on_shutdown` is set. */
  stop(): Promise<void>;
}

/** The routes of a running cluster: its scheduler by SNI, its dashboard by path. */
function clusterRouteList(c: ClusterRecord, prefix: string): Route[] {
  const out: Route[] = [{ kind: 'SNI', sni: c.name, target: c.schedulerAddress }];
  if (c.dashboardAddress !== '') {
    const path = `${prefix}/clusters/${c.name}`;
    out.push({ kind: 'PATH', path, target: `${c.dashboardAddress.replace(/\/+$/, '')}${path}` });
  }
  return out;
}

/**
 * With `proxy.mode: external`: the route synchroniser and client counts of the separately run
 * proxy, and the periodic resync; null for the in-process proxy.
 */
function externalProxy(config: GatewayConfig, routes: RouteTable, clock: Clock, log: Logger) {
  const p = config.proxy;
  if (p.mode !== 'external' || p.token === null) return null;
  const control = createProxyControlClient(p.controlUrl, p.token);
  const sync = createRouteSync(control, routes, log);
  const clients = createRemoteClientCounts(control, clock);
  const poll = () =>
    clients.poll().catch((err: unknown) => {
      log.warn({ err }, 'reading client counts from the proxy failed');
    });
  let timer: NodeJS.Timeout | undefined;
  return {
    sync,
    clients,
    /** Waits for the proxy (up to `start_timeout`), reads its counts, starts the resync timer. */
    async connect(): Promise<ProxyInfo> {
      const deadline = clock.now() + p.startTimeout * 1000;
      for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
        try {
          const info = await control.info();
          await clients.poll();
          timer = setInterval(() => {
            void sync.request();
            void poll();
          }, p.syncPeriod * 1000);
          timer.unref();
          log.info({ control: control.url, public_url: info.public_url }, 'external proxy found');
          return info;
        } catch (err) {
          if (clock.now() >= deadline) {
            throw new Error(
              `the proxy's control API at ${control.url} did not answer within ${String(p.startTimeout)} s (is \`gatehouse proxy\` running with the same token?): ${err instanceof Error ? err.message : String(err)}`,
              { cause: err }
            );
          }
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** The built web UI: `packages/web/dist`, the same from `src/` (tsx) and `dist/` (compiled). */
const WEB_UI_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Builds and starts a gateway from a loaded configuration. */
export async function startGateway(
  config: GatewayConfig,
  deps: GatewayDeps = {}
): Promise<Gateway> {
  const log =
    deps.log ??
    createLogger(config.log.level, {
      format: config.log.format,
      ...(deps.isTty === undefined ? {} : { isTty: deps.isTty }),
    });
  const clock = deps.clock ?? systemClock;
  securePrivateDir(config.dataDir, log);
  if (config.storePath !== ':memory:') {
    mkdirSync(path.dirname(config.storePath), { recursive: true, mode: 0o700 });
  }
  const keys =
    config.encryptionKeys.length > 0
      ? config.encryptionKeys.map(parseKey)
      : config.storePath === ':memory:'
        ? [parseKey(Buffer.alloc(32, 7).toString('base64'))]
        : [loadOrCreateKeyFile(path.join(path.dirname(config.storePath), 'gatehouse.key'))];
  const db = await openDatabase(config.storePath);
  const store = createClusterStore(db, createSecretBox(keys));
  const auditLog = log.child({ module: 'audit' });
  const instanceId = await loadOrCreateInstanceId(db);
  const faults: FaultPoints = createFaultPoints(
    config.testing.crash_at,
    deps.onFaultPoint ?? crashAt
  );
  if (config.testing.crash_at !== null) {
    log.warn({ fault_point: config.testing.crash_at }, 'test mode: a fault point is armed');
  }
  const accessStore = createAccessStore(db);
  const eventStore = createEventStore(db);
  const events = createEventRecorder({
    store: eventStore,
    bus: createEventBus(),
    clock,
    log: log.child({ module: 'events' }),
  });
  await events.start();
  const audit = (
    actor: string,
    action: string,
    target: string,
    outcome: 'ok' | 'refused',
    detail = ''
  ) => {
    auditLog.info({ actor, action, target, outcome, detail }, `audit: ${actor} ${action}`);
    accessStore
      .audit({ time: clock.now(), actor, action, target, outcome, detail })
      .catch((err: unknown) => {
        log.error({ err }, 'audit write failed');
      });
  };

  const routes = new RouteTable();
  const dashboardGrants = createDashboardGrants(clock);
  const proxy = externalProxy(config, routes, clock, log.child({ module: 'proxy.sync' }));
  const clusterRoutes = {
    add(c: ClusterRecord) {
      for (const r of clusterRouteList(c, config.prefix)) routes.put(r);
      return proxy?.sync.request();
    },
    remove(name: string) {
      dashboardGrants.revokeCluster(name);
      routes.removeSni(name);
      routes.removePath(`${config.prefix}/clusters/${name}`);
      return proxy?.sync.request();
    },
  };

  let apiUrl = '';
  let onExit: (exit: ProcessExit) => void = () => undefined;
  const exits = (exit: ProcessExit) => {
    onExit(exit);
  };
  let backend: Backend;
  let network: NetworkIsolation = { firewall: null, warning: null };
  let isolation: IsolationPlan | null = null;
  let pool = config.pool;
  if (config.backend.type === 'slurm') {
    const cli = createSlurmCli();
    const partition = config.backend.partition;
    const nodes = await cli.sinfo(partition);
    if (nodes.length === 0) {
      throw new Error(`sinfo lists no nodes in the Slurm partition ${partition ?? '(default)'}`);
    }
    pool = { ...config.pool, machine_types: poolFromNodes(partition ?? 'slurm', nodes) };
    log.info({ machine_types: pool.machine_types }, 'pool read from the Slurm partition');
    backend = createSlurmBackend({
      config: config.backend,
      profiles: config.profiles,
      cli,
      clock,
      gatewayEnv: deps.env ?? {},
      log: log.child({ module: 'backend.slurm' }),
      onExit: exits,
      isRoot: process.getuid?.() === 0,
      instanceId,
      logs: config.logs,
    });
  } else {
    network = await chooseNetworkIsolation({
      setting: config.backend.network_isolation,
      instanceId,
      log: log.child({ module: 'backend.network' }),
      deleteOnClose: config.stopClustersOnShutdown,
    });
    if (network.warning !== null) {
      log.warn(`cluster ports are open to every local user: ${network.warning}`);
    }
    const firewall = network.firewall ?? deps.firewall;
    isolation = planIsolation(config.backend, {
      isRoot: process.getuid?.() === 0,
      readText: readSystemFile,
      ...(firewall === undefined ? {} : { firewall }),
      ...(path.isAbsolute(config.source) ? { configFile: config.source } : {}),
    });
    if (isolation.mode === 'none') {
      log.warn(
        "clusters are NOT isolated: every scheduler and worker runs as the gateway user and can read the others' files and the gateway's (backend.isolation: none, or the gateway does not run as root); see docs/security.md"
      );
    } else {
      log.info(
        { uids: config.backend.isolation_uids, clusters_directory: isolation.clustersDirectory },
        'clusters are isolated: each runs under its own uid and loopback address'
      );
    }
    backend = createLocalBackend({
      config: { ...config.backend, clustersDirectory: isolation.clustersDirectory },
      ...(isolation.isolation === undefined ? {} : { isolation: isolation.isolation }),
      gatewayEnv: deps.env ?? {},
      instanceId,
      log: log.child({ module: 'backend.local' }),
      onExit: exits,
      logs: config.logs,
    });
  }
  let clusters: () => Iterable<ClusterRecord> = () => [];
  const policy = createClusterPolicy({ pool, quotas: config.quotas }, () => clusters(), clock);
  for (const [username, q] of Object.entries(await accessStore.listUserQuotas())) {
    policy.setOverride(username, parseQuotaBody(JSON.parse(q)));
  }
  for (const [name, groups] of Object.entries(await accessStore.listUserGroups())) {
    policy.observe({ name, groups });
  }
  const usageId = (c: ClusterRecord, w: WorkerRecord | null) =>
    `${c.name}/${w === null ? 'scheduler' : w.name}`;
  const accounting = {
    started(c: ClusterRecord, w: WorkerRecord | null) {
      const worker = w !== null;
      accessStore
        .startUsage({
          id: usageId(c, w),
          username: c.username,
          cluster_name: c.name,
          kind: worker ? 'worker' : 'scheduler',
          cores: worker ? c.config.worker_cores : c.config.scheduler_cores,
          memory: worker ? c.config.worker_memory : c.config.scheduler_memory,
          start_time: clock.now(),
        })
        .catch((err: unknown) => {
          log.error({ err }, 'usage write failed');
        });
    },
    stopped(c: ClusterRecord, w: WorkerRecord | null) {
      accessStore.stopUsage(usageId(c, w), clock.now()).catch((err: unknown) => {
        log.error({ err }, 'usage write failed');
      });
    },
  };
  const clientTracker = createClientTracker(clock);
  const metrics = createMetrics({
    clusters: () => clusters(),
    pool: () => {
      const p = policy.state('', true);
      return { used: p.machines_in_use, free: p.machines_free };
    },
    backend: config.backend.type,
    now: () => clock.now(),
  });
  const manager = createClusterManager({
    store,
    backend,
    routes: clusterRoutes,
    clock,
    log: log.child({ module: 'clusters' }),
    timing: config.timing,
    stopClustersOnShutdown: config.stopClustersOnShutdown,
    prefix: config.prefix,
    apiUrl: () => apiUrl,
    createTls: (name) => createClusterTls(name),
    policy,
    accounting,
    clients: proxy?.clients ?? clientTracker,
    observer: {
      clusterStarted: (seconds) => {
        metrics.clusterStarted(seconds);
      },
      heartbeat: (seconds) => {
        metrics.heartbeat(seconds);
      },
    },
    faults,
    events,
    logs: config.logs,
    onCleanup: async (deleted, before) => {
      await events.flushed();
      await eventStore.deleteForClusters(deleted);
      await eventStore.deleteUnboundBefore(before);
      for (const name of deleted) backend.removeLogs(name);
    },
  });
  onExit = manager.onProcessExit;
  clusters = () => manager.all();
  const access = await createAccessControl(config.access, accessStore, clock);

  const fields = parseFieldDefinitions(config.options);
  const environments = config.environments;
  const catalog =
    environments.list.length > 0 || environments.discover !== null
      ? createEnvironmentCatalog(
          environments,
          log.child({ module: 'environments' }),
          () => clock.now(),
          // Isolated clusters cannot use what an unprivileged uid cannot read: check as one.
          isolation?.mode === 'uid' ? UNPRIVILEGED : null
        )
      : null;
  await catalog?.refresh();
  const clusterOptions = createClusterOptionsService(
    {
      catalog,
      defaultEnvironment: environments.default,
      profiles: config.profiles,
      environmentVariables: config.environmentVariables,
      general: fields,
    },
    config.cluster,
    log
  );
  const sessions = createSessionCache({
    cookieName: config.auth.cookie_name,
    cacheMaxAge: config.auth.cache_max_age,
    clock,
  });
  const authenticator = createAuthenticator(config.auth, accessStore, clock);
  const { limits } = config;
  const rateLimit =
    limits.user_requests_per_second === null
      ? NO_RATE_LIMIT
      : createUserRateLimit(limits.user_requests_per_second, limits.user_request_burst, clock);
  const browser = createBrowserSessions({ clock, path: `${config.prefix}/` });
  const { auth } = config;
  const hubOAuth =
    auth.type === 'jupyterhub' && auth.oauth_client_id !== null
      ? createHubOAuth({ ...auth, oauth_client_id: auth.oauth_client_id }, clock)
      : null;
  // One throttle for password guesses on the API (Basic) and at the web UI's login.
  const loginThrottle = createLoginThrottle(
    clock,
    limits.password_failures_burst,
    limits.password_failure_interval
  );
  const userAuth = createUserAuth(
    authenticator,
    sessions,
    browser,
    access,
    {
      onUser: (user) => {
        if (!policy.observe(user)) return;
        accessStore.setUserGroups(user.name, user.groups, clock.now()).catch((err: unknown) => {
          log.error({ err, user: user.name }, 'could not remember the groups of a user');
        });
      },
      onRefusal: (who, what, why) => {
        metrics.refusal(why === 'not an admin' ? 'not_admin' : 'not_granted');
        audit(who, what, '', 'refused', why);
        events.record({
          type: 'request.refused',
          cluster: null,
          username: who,
          actor: who,
          message: `${what} refused: ${why}`,
          data: { action: what, reason: why },
        });
      },
    },
    rateLimit,
    loginThrottle
  );

  const dashboardHosts = createDashboardHosts(config.proxy.dashboardDomain);
  const dashboardAuth = createDashboardAuth({
    userAuth,
    cluster: (name) => manager.get(name),
    principal: (user) => access.principal(user),
    grants: dashboardGrants,
    hosts: dashboardHosts,
    prefix: config.prefix,
  });
  const server =
    proxy === null
      ? createPublicServer({
          routes,
          log: log.child({ module: 'proxy' }),
          prefix: config.prefix,
          clients: clientTracker,
          authorizeDashboard: dashboardAuth,
          dashboardHostOf: (host) => dashboardHosts.clusterOf(host),
          meter: metrics.proxy,
          onRefusal: (reason) => {
            metrics.refusal(reason);
          },
          limits: {
            helloTimeoutMs: limits.tls_hello_timeout * 1000,
            maxPendingHellos: limits.max_pending_handshakes,
            maxPendingHellosPerSource: limits.max_pending_handshakes_per_source,
          },
          httpLimits: {
            maxHeaderBytes: limits.max_header_bytes,
            headersTimeoutMs: limits.headers_timeout * 1000,
            requestTimeoutMs: limits.request_timeout * 1000,
            idleTimeoutMs: limits.idle_timeout * 1000,
            keepAliveTimeoutMs: limits.keep_alive_timeout * 1000,
          },
        })
      : createPrivateApiServer();
  const heartbeatParser = createHeartbeatParser();
  const { app, routes: apiRoutes } = await createApiApp(
    {
      manager,
      heartbeatParser,
      userAuth,
      clusterOptions,
      version: GATEWAY_VERSION,
      access,
      accessStore,
      policy,
      clock,
      audit,
      environments: catalog,
      metrics,
      metricsToken: config.metrics.token,
      bodyLimits: { default: limits.max_body_bytes, heartbeat: limits.max_heartbeat_bytes },
      events,
      sseKeepAliveMs: deps.sseKeepAliveMs ?? 15_000,
    },
    server,
    log,
    {
      browser,
      authType: config.auth.type,
      oauth: hubOAuth,
      loginThrottle,
      oauthCallbackUrl: config.auth.type === 'jupyterhub' ? config.auth.oauth_callback_url : null,
      dir: WEB_UI_DIR,
      prefix: config.prefix,
      dashboardAuth,
    }
  );
  let url: string;
  let port: number;
  if (proxy === null) {
    const bound = await server.listen(config.listen.host, config.listen.port);
    url = baseUrl(bound);
    port = bound.port;
  } else {
    // The proxy owns the public port; its address is what clients and schedulers use.
    await server.listen(config.proxy.apiListen.host, config.proxy.apiListen.port);
    try {
      url = (await proxy.connect()).public_url;
    } catch (err) {
      events.bus.close();
      await server.close();
      await app.close();
      await heartbeatParser.close();
      await events.flushed();
      await store.close();
      throw err;
    }
    port = Number(new URL(url).port);
  }
  apiUrl = config.apiUrl ?? `${url}${config.prefix}/api`;
  const { firewall } = network;
  const stopResync =
    firewall === null
      ? () => undefined
      : await startNetworkFirewall(firewall, apiUrl, config.timing.orphanScanPeriod, log);
  await manager.start();
  await proxy?.sync.request();
  // Off the start-up path: serving first, the certificate library for the first cluster next.
  setImmediate(() => {
    preloadClusterTls().catch((err: unknown) => {
      log.error({ err }, 'loading the certificate library failed');
    });
  });
  let bootstrapToken: string | null = null;
  if (config.access.bootstrap_admin_token && (await accessStore.countTokens()) === 0) {
    const issued = await accessStore.issueToken({
      username: 'admin',
      admin: true,
      label: 'bootstrap',
      by: 'gatehouse',
      now: clock.now(),
    });
    bootstrapToken = issued.token;
    audit('gatehouse', 'issue token', 'admin', 'ok', `bootstrap admin token ${issued.info.id}`);
  }
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
    manager,
    routes,
    instanceId,
    isolated: isolation?.mode === 'uid',
    bootstrapToken,
    networkWarning: network.warning,
    apiRoutes,
    metrics,
    heartbeatParser,
    openapi: () => app.swagger(),
    events,
    async stop() {
      proxy?.stop();
      await manager.shutdown();
      stopResync();
      await firewall?.close();
      await proxy?.sync.idle();
      events.bus.close();
      await server.close();
      await app.close();
      await heartbeatParser.close();
      await events.flushed();
      await store.close();
    },
  };
}
