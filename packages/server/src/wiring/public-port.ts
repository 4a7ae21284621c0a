/**
 * The public port, built by one function for `gatehouse serve` (in-process proxy) and
 * `gatehouse proxy` (the proxy run on its own): `limits.*` become the TLS-handshake and HTTP
 * limits, and the port meters its traffic and refusals into the given metrics.
 * @module
 */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/load.js';
import type { GatewayMetrics } from '../observability/metrics.js';
import type { ClientTracker } from '../proxy/client-tracker.js';
import { createDashboardHosts } from '../proxy/dashboard-host.js';
import type { DashboardAuthorizer } from '../proxy/ports.js';
import { createPublicServer, type PublicServer } from '../proxy/public-server.js';
import type { RouteTable } from '../proxy/route-table.js';

/** What the public port is built from besides the configuration. */
export interface PublicPortParts {
  readonly routes: RouteTable;
  /** The port's logger (its module name is set here). */
  readonly log: Logger;
  readonly clients: ClientTracker;
  readonly metrics: Pick<GatewayMetrics, 'proxy' | 'refusal'>;
  readonly authorizeDashboard: DashboardAuthorizer;
}

/** Builds the public port (not listening yet) from `config.limits`, `prefix` and `proxy`. */
export function createPublicPort(config: GatewayConfig, parts: PublicPortParts): PublicServer {
  const { limits } = config;
  const hosts = createDashboardHosts(config.proxy.dashboardDomain);
  return createPublicServer({
    routes: parts.routes,
    log: parts.log.child({ module: 'proxy' }),
    prefix: config.prefix,
    clients: parts.clients,
    authorizeDashboard: parts.authorizeDashboard,
    dashboardHostOf: (host) => hosts.clusterOf(host),
    meter: parts.metrics.proxy,
    onRefusal: (reason) => {
      parts.metrics.refusal(reason);
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
  });
}
