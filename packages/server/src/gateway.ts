/**
 * The composition root: wires config, store, authentication, backend, proxy and API into one
 * gateway instance. Nothing here is module-level, so several gateways can run in one process.
 * @module
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { createApiApp, type RouteInfo } from './api/app.js';
import { createUserAuth } from './api/auth-hook.js';
import { createAuthenticator } from './auth/create-authenticator.js';
import { createSessionCache } from './auth/session-cache.js';
import { createLocalBackend } from './backends/local/local-backend.js';
import type { ProcessExit } from './backends/backend.js';
import { systemClock, type Clock } from './clock.js';
import { createClusterManager, type ClusterManager } from './clusters/manager.js';
import type { ClusterRecord, WorkerRecord } from './clusters/model.js';
import { parseQuotaBody } from './pool/quota-body.js';
import { parseFieldDefinitions } from './cluster-options/fields.js';
import { createClusterOptionsService } from './cluster-options/options-service.js';
import { createEnvironmentCatalog } from './cluster-options/environments.js';
import type { GatewayConfig } from './config/load.js';
import { createLogger } from './observability/logger.js';
import { createMetrics, type GatewayMetrics } from './observability/metrics.js';
import { createUserRateLimit, NO_RATE_LIMIT } from './api/user-rate-limit.js';
import { crashAt } from './faults/crash.js';
import { createFaultPoints, type FaultPoint, type FaultPoints } from './faults/fault-points.js';
import { createPublicServer } from './proxy/public-server.js';
import { createClientTracker } from './proxy/client-tracker.js';
import { RouteTable } from './proxy/route-table.js';
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
  /** An admin API token issued at first start (shown once), or null. */
  readonly bootstrapToken: string | null;
  /** The event recorder (its bus, its store). */
  readonly events: EventRecorder;
  /** Stops serving; stops clusters too when `stop_clusters_on_shutdown` is set. */
  stop(): Promise<void>;
}

function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

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
  const clusterRoutes = {
    add(c: ClusterRecord) {
      routes.setSni(c.name, c.schedulerAddress);
      if (c.dashboardAddress !== '') {
        const prefix = `${config.prefix}/clusters/${c.name}`;
        routes.setPath(prefix, `${c.dashboardAddress.replace(/\/+$/, '')}${prefix}`);
      }
    },
    remove(name: string) {
      routes.removeSni(name);
      routes.removePath(`${config.prefix}/clusters/${name}`);
    },
  };

  let apiUrl = '';
  let onExit: (exit: ProcessExit) => void = () => undefined;
  const backend = createLocalBackend({
    config: config.backend,
    gatewayEnv: deps.env ?? {},
    instanceId,
    log: log.child({ module: 'backend.local' }),
    onExit: (exit) => {
      onExit(exit);
    },
    logs: config.logs,
  });
  let clusters: () => Iterable<ClusterRecord> = () => [];
  const policy = createClusterPolicy(
    { pool: config.pool, quotas: config.quotas },
    () => clusters(),
    clock
  );
  for (const [username, q] of Object.entries(await accessStore.listUserQuotas())) {
    policy.setOverride(username, parseQuotaBody(JSON.parse(q)));
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
    clients: clientTracker,
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
      ? createEnvironmentCatalog(environments, log.child({ module: 'environments' }), () =>
          clock.now()
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
  const authenticator = createAuthenticator(config.auth, accessStore);
  const { limits } = config;
  const rateLimit =
    limits.user_requests_per_second === null
      ? NO_RATE_LIMIT
      : createUserRateLimit(limits.user_requests_per_second, limits.user_request_burst, clock);
  const userAuth = createUserAuth(
    authenticator,
    sessions,
    access,
    {
      onUser: (user) => {
        policy.observe(user);
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
    rateLimit
  );

  const server = createPublicServer({
    routes,
    log: log.child({ module: 'proxy' }),
    prefix: config.prefix,
    clients: clientTracker,
    meter: metrics.proxy,
    onRefusal: (reason) => {
      metrics.refusal(reason);
    },
    limits: {
      helloTimeoutMs: limits.tls_hello_timeout * 1000,
      maxPendingHellos: limits.max_pending_handshakes,
    },
    httpLimits: {
      maxHeaderBytes: limits.max_header_bytes,
      headersTimeoutMs: limits.headers_timeout * 1000,
      requestTimeoutMs: limits.request_timeout * 1000,
      idleTimeoutMs: limits.idle_timeout * 1000,
      keepAliveTimeoutMs: limits.keep_alive_timeout * 1000,
    },
  });
  const { app, routes: apiRoutes } = await createApiApp(
    {
      manager,
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
    log
  );
  const bound = await server.listen(config.listen.host, config.listen.port);
  const url = `http://${connectHost(bound.host)}:${String(bound.port)}`;
  apiUrl = config.apiUrl ?? `${url}${config.prefix}/api`;
  await manager.start();
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
    port: bound.port,
    manager,
    routes,
    instanceId,
    bootstrapToken,
    apiRoutes,
    metrics,
    openapi: () => app.swagger(),
    events,
    async stop() {
      await manager.shutdown();
      events.bus.close();
      await server.close();
      await app.close();
      await events.flushed();
      await store.close();
    },
  };
}
