/**
 * The composition root of `gatehouse proxy`: the public port (scheduler TLS by SNI, dashboards
 * by path and on their own hosts, everything else forwarded to the gateway's private API, or to
 * the leading one of several replicas: proxy/api-forwarder.ts) and the control API the gateway
 * keeps its routes in sync through. It holds client connections and dashboard routes
 * while the gateway restarts, as JupyterHub's configurable-http-proxy does for the hub. The
 * public port and the logger are built by the same wiring as `gatehouse serve`'s
 * (`wiring/public-port.ts`, `wiring/logger.ts`), so `limits.*`, metrics and `log.format` hold.
 * @module
 */
import type { Logger } from 'pino';
import { systemClock, type Clock } from './clock.js';
import { ConfigError, type GatewayConfig } from './config/load.js';
import { createMetrics } from './observability/metrics.js';
import { createApiForwarder } from './proxy/api-forwarder.js';
import { createClientTracker } from './proxy/client-tracker.js';
import { createControlApi } from './proxy/control-api.js';
import { baseUrl } from './proxy/public-server.js';
import { createRemoteDashboardAuth } from './proxy/remote-dashboard-auth.js';
import { RouteTable } from './proxy/route-table.js';
import { createUpstreamPool } from './proxy/upstream-pool.js';
import { GATEWAY_VERSION } from './version.js';
import { configuredLogger, type LogOutput } from './wiring/logger.js';
import { createPublicPort } from './wiring/public-port.js';

/** A running proxy. */
export interface ProxyProcess {
  /** Base URL of the public port. */
  readonly url: string;
  /** Base URL of the control API. */
  readonly controlUrl: string;
  readonly routes: RouteTable;
  /** Closes both listeners and every connection. */
  stop(): Promise<void>;
}

/** Optional collaborators, for tests and embedding. */
export interface ProxyDeps extends LogOutput {
  readonly log?: Logger;
  readonly clock?: Clock;
}

/** Starts the proxy from a loaded configuration (its `listen`, `prefix` and `proxy` keys). */
export async function startProxy(
  config: GatewayConfig,
  deps: ProxyDeps = {}
): Promise<ProxyProcess> {
  const log = deps.log ?? configuredLogger(config, deps);
  const clock = deps.clock ?? systemClock;
  const token = config.proxy.token;
  if (token === null) {
    throw new ConfigError(config.source, [
      'proxy.token: `gatehouse proxy` needs the control API token (proxy.token, proxy.token_file or GATEHOUSE_PROXY_TOKEN)',
    ]);
  }
  const routes = new RouteTable();
  const clients = createClientTracker(clock);
  // The proxy's own registry: its traffic and refusals (the gateway's families stay empty).
  const metrics = createMetrics({
    clusters: () => [],
    pool: () => ({ used: 0, free: 0 }),
    backend: config.backend.type,
    now: () => clock.now(),
  });
  const pool = createUpstreamPool({
    urls: config.proxy.gatewayUrls,
    prefix: config.prefix,
    periodMs: config.proxy.healthPeriodMs,
    log: log.child({ module: 'proxy.upstreams' }),
  });
  const server = createPublicPort(config, {
    routes,
    log,
    clients,
    metrics,
    authorizeDashboard: createRemoteDashboardAuth({
      gatewayUrl: () => pool.leader()?.url ?? config.proxy.gatewayUrl,
      prefix: config.prefix,
      clock,
      log: log.child({ module: 'proxy.dashboard-auth' }),
    }),
  });
  const forwarder = createApiForwarder({
    pool,
    holdMs: config.proxy.holdMs,
    log: log.child({ module: 'proxy.api' }),
  });
  server.setApiHandler(forwarder.handler);
  pool.start();
  const url = baseUrl(await server.listen(config.listen.host, config.listen.port));
  const control = await createControlApi({
    routes,
    clients,
    token,
    clock,
    log: log.child({ module: 'proxy.control' }),
    info: () => ({ public_url: url, prefix: config.prefix, version: GATEWAY_VERSION }),
    metrics,
  });
  const { host, port } = config.proxy.controlListen;
  await control.listen({ host, port });
  const addr = control.server.address();
  const controlUrl =
    addr !== null && typeof addr !== 'string'
      ? baseUrl({ host: addr.address, port: addr.port })
      : config.proxy.controlUrl;
  log.info(
    { event: 'ready', url, control_url: controlUrl, gateway_urls: config.proxy.gatewayUrls },
    `Gatehouse proxy listening on ${url}`
  );
  return {
    url,
    controlUrl,
    routes,
    async stop() {
      await control.close();
      await server.close();
      forwarder.close();
    },
  };
}
