/**
 * The public port, served in process: one listener carries scheduler TLS (spliced by SNI),
 * dashboards (reverse-proxied by path, WebSockets included) and the API (spec §7).
 *
 * Slow and oversized clients are cut off by its HTTP side (http-limits.ts) and by the SNI router.
 * @module
 */
import http from 'node:http';
import net from 'node:net';
import type { Logger } from 'pino';
import { writeRawError } from '../errors-http.js';
import type { ProxyMeter, RefusalReason } from '../observability/metrics.js';
import { createDashboardProxy } from './dashboard-proxy.js';
import { createLimitedHttpServer, type HttpLimits } from './http-limits.js';
import { createSniRouter, type SniRouterLimits } from './sni-router.js';
import type { ClientTracker } from './client-tracker.js';
import type { RouteTable } from './route-table.js';
import type { ApiHost, DashboardAuthorizer, RequestHandler } from './ports.js';

export { isLongLived, type HttpLimits } from './http-limits.js';

/** The listening public port. */
export interface PublicServer extends ApiHost {
  /** Starts listening; resolves with the bound address. */
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
}

/** What the public server is built from. */
export interface PublicServerDeps {
  readonly routes: RouteTable;
  readonly log: Logger;
  /** URL prefix of all HTTP routes ('' for none). */
  readonly prefix: string;
  readonly limits?: SniRouterLimits;
  readonly httpLimits?: HttpLimits;
  /** Told about every client connection spliced to a scheduler. */
  readonly clients?: ClientTracker;
  /** Meters proxied connections and their bytes. */
  readonly meter?: ProxyMeter;
  /** Told about every refused connection or request head. */
  readonly onRefusal?: (reason: RefusalReason) => void;
  /** Checked before every dashboard request and WebSocket upgrade is forwarded (default: all pass). */
  readonly authorizeDashboard?: DashboardAuthorizer;
  /** The cluster whose dashboard host a Host header names, or null (default: no such hosts). */
  readonly dashboardHostOf?: (host: string | undefined) => string | null;
}

/** Starts `server` listening on host:port; resolves with the bound address. */
export function listenTcp(
  server: net.Server,
  host: string,
  port: number
): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.removeListener('error', reject);
      const addr = server.address();
      if (addr === null || typeof addr === 'string') {
        reject(new Error('listening on an unexpected address'));
        return;
      }
      resolve({ host: addr.address, port: addr.port });
    });
  });
}

/** The http:// base URL a bound address is reached at (wildcard hosts as 127.0.0.1). */
export function baseUrl(bound: { host: string; port: number }): string {
  const { host } = bound;
  const h =
    host === '0.0.0.0' || host === '::' || host === ''
      ? '127.0.0.1'
      : host.includes(':')
        ? `[${host}]`
        : host;
  return `http://${h}:${String(bound.port)}`;
}

/** Strips `prefix` from the URL of `req`; false when the URL is outside it. */
function stripPrefix(req: http.IncomingMessage, prefix: string): boolean {
  if (prefix === '') return true;
  const url = req.url ?? '/';
  if (url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`)) {
    req.url = url.slice(prefix.length) || '/';
    if (req.url.startsWith('?')) req.url = `/${req.url}`;
    return true;
  }
  return false;
}

/** Creates the public server (not yet listening). */
export function createPublicServer(deps: PublicServerDeps): PublicServer {
  const { routes, log, prefix } = deps;
  const refused = deps.onRefusal ?? (() => undefined);
  const authorizeDashboard: DashboardAuthorizer =
    deps.authorizeDashboard ?? (() => Promise.resolve({ allow: true }));
  let apiHandler: RequestHandler = (_req, res) => {
    writeRawError(res, 'gateway_unavailable', 'The gateway is starting; try again shortly');
  };
  const dashboards = createDashboardProxy({
    routes,
    log,
    authorize: authorizeDashboard,
    uiHref: `${prefix}/ui/`,
    ...(deps.dashboardHostOf === undefined ? {} : { dashboardHostOf: deps.dashboardHostOf }),
    ...(deps.meter === undefined ? {} : { meter: deps.meter }),
  });

  const handleApi = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!stripPrefix(req, prefix)) {
      writeRawError(res, 'not_found', 'Not Found');
      return;
    }
    apiHandler(req, res);
  };
  const httpServer = createLimitedHttpServer(
    deps.httpLimits ?? {},
    (req, res) => {
      if (!dashboards.request(req, res)) handleApi(req, res);
    },
    refused
  );
  httpServer.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    if (!dashboards.upgrade(req, socket, head)) socket.destroy();
  });

  const toHttp = (socket: net.Socket) => {
    httpServer.emit('connection', socket);
  };
  const sockets = new Set<net.Socket>();
  const router = createSniRouter(routes, toHttp, log, deps.limits, {
    ...(deps.clients === undefined ? {} : { clients: deps.clients }),
    ...(deps.meter === undefined ? {} : { meter: deps.meter }),
    onRefusal: refused,
  });
  const tcp = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    router(socket);
  });

  return {
    httpServer,
    setApiHandler(handler) {
      apiHandler = handler;
    },
    listen: async (host, port) => {
      const bound = await listenTcp(tcp, host, port);
      // The HTTP server never listens itself (the TCP server hands it connections), but
      // Node enforces headersTimeout and requestTimeout only once it saw 'listening'.
      httpServer.emit('listening');
      return bound;
    },
    close() {
      return new Promise((resolve) => {
        tcp.close(() => {
          resolve();
        });
        for (const s of sockets) s.destroy();
        dashboards.close();
        // Stops the HTTP server's timeout checks (it answers "not running", as it never listened).
        httpServer.close(() => undefined);
      });
    },
  };
}
