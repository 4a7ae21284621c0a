/**
 * The public port, served in process: one listener carries scheduler TLS (spliced by SNI),
 * dashboards (reverse-proxied by path, WebSockets included) and the API (spec §7).
 *
 * Slow and oversized clients are cut off here: request heads are capped (431), the head and the
 * whole request must arrive in time, and silent connections are closed. Long-lived traffic is
 * exempt from the idle timeout: `?wait` long polls, event streams (any `/events` path or an
 * `Accept: text/event-stream` request), dashboard WebSockets and spliced scheduler connections.
 * @module
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Logger } from 'pino';
import { socketErrorAnswer, writeRawError } from '../errors-http.js';
import type { ProxyMeter, RefusalReason } from '../observability/metrics.js';
import { createDashboardProxy } from './dashboard-proxy.js';
import { createSniRouter, type SniRouterLimits } from './sni-router.js';
import type { ClientTracker } from './client-tracker.js';
import type { RouteTable } from './route-table.js';
import type { ApiHost, DashboardAuthorizer, RequestHandler } from './ports.js';

/** Limits of the HTTP side (all optional; Node's defaults otherwise). */
export interface HttpLimits {
  /** Largest request head in bytes (431 above it). @default 16384 */
  readonly maxHeaderBytes?: number;
  /** Milliseconds to receive a request head. @default 20000 */
  readonly headersTimeoutMs?: number;
  /** Milliseconds to receive a whole request; 0 = none. @default 120000 */
  readonly requestTimeoutMs?: number;
  /** Milliseconds a connection may stay silent; 0 = none. @default 120000 */
  readonly idleTimeoutMs?: number;
  /** Milliseconds an idle keep-alive connection is kept. @default 5000 */
  readonly keepAliveTimeoutMs?: number;
}

/** Whether a request is long-lived traffic, exempt from the idle timeout. */
export function isLongLived(req: Pick<http.IncomingMessage, 'url' | 'headers'>): boolean {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  if (/\/events\/?$/.test(pathname)) return true;
  if ((req.headers.accept ?? '').includes('text/event-stream')) return true;
  if (q >= 0) {
    const wait = new URLSearchParams(url.slice(q + 1)).get('wait');
    if (wait === '') return true;
    if (wait !== null && /^\s*[+-]?\d+\s*$/.test(wait) && Number(wait) !== 0) return true;
  }
  return false;
}

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

/**
 * The answer to a connection whose request head never became a request: too large (431), too
 * slow (408) or malformed (400). No request id was sent or read, so the answer names a new one.
 */
function clientErrorAnswer(
  err: NodeJS.ErrnoException,
  maxHeaderBytes: number,
  refused: (reason: RefusalReason) => void
): string {
  const id = randomUUID();
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    refused('header_too_large');
    const limit = String(maxHeaderBytes);
    return socketErrorAnswer(
      'header_too_large',
      `Request head is larger than the limit of ${limit} bytes`,
      id
    );
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return socketErrorAnswer('request_timeout', 'The request took too long to arrive', id);
  return socketErrorAnswer('bad_request', 'Malformed HTTP request', id);
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

/** Creates the public server (not yet listening). */
export function createPublicServer(deps: PublicServerDeps): PublicServer {
  const { routes, log, prefix } = deps;
  const hl = deps.httpLimits ?? {};
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
    ...(deps.dashboardHostOf === undefined ? {} : { dashboardHostOf: deps.dashboardHostOf }),
    ...(deps.meter === undefined ? {} : { meter: deps.meter }),
  });

  const stripPrefix = (req: http.IncomingMessage): boolean => {
    if (prefix === '') return true;
    const url = req.url ?? '/';
    if (url === prefix || url.startsWith(`${prefix}/`) || url.startsWith(`${prefix}?`)) {
      req.url = url.slice(prefix.length) || '/';
      if (req.url.startsWith('?')) req.url = `/${req.url}`;
      return true;
    }
    return false;
  };

  const maxHeaderBytes = hl.maxHeaderBytes ?? 16384;
  const headersTimeout = hl.headersTimeoutMs ?? 20_000;
  const requestTimeout = hl.requestTimeoutMs ?? 120_000;
  const httpServer = http.createServer(
    {
      maxHeaderSize: maxHeaderBytes,
      headersTimeout,
      // Node requires requestTimeout >= headersTimeout unless it is 0 (none).
      requestTimeout: requestTimeout === 0 ? 0 : Math.max(requestTimeout, headersTimeout),
      keepAliveTimeout: hl.keepAliveTimeoutMs ?? 5000,
      connectionsCheckingInterval: Math.max(100, Math.min(headersTimeout, 30_000) / 4),
    },
    (req, res) => {
      if (isLongLived(req)) req.socket.setTimeout(0);
      if (!dashboards.request(req, res)) handleApi(req, res);
    }
  );
  httpServer.timeout = hl.idleTimeoutMs ?? 120_000;

  const handleApi = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!stripPrefix(req)) {
      writeRawError(res, 'not_found', 'Not Found');
      return;
    }
    apiHandler(req, res);
  };
  httpServer.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    if (!dashboards.upgrade(req, socket, head)) socket.destroy();
  });
  httpServer.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorAnswer(err, maxHeaderBytes, refused));
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
