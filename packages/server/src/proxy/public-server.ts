/**
 * The public port, served in process: one listener carries scheduler TLS (spliced by SNI),
 * dashboards (reverse-proxied by path, WebSockets included) and the API (spec §7).
 * @module
 */
import http from 'node:http';
import net from 'node:net';
import type { Logger } from 'pino';
import { createProxyServer } from 'http-proxy-3';
import { writeRawError } from '../api/error-handler.js';
import { createSniRouter, type SniRouterLimits } from './sni-router.js';
import type { ClientTracker } from './client-tracker.js';
import type { RouteTable } from './route-table.js';

/** Handles a request that no dashboard route claims. */
export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** An HTTP server the API framework serves on. */
export interface ApiHost {
  /** The HTTP server that API requests reach (give it to the API framework). */
  readonly httpServer: http.Server;
  /** Installs the API's request handler (everything not routed to a dashboard). */
  setApiHandler(handler: RequestHandler): void;
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
  /** Told about every client connection spliced to a scheduler. */
  readonly clients?: ClientTracker;
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
  let apiHandler: RequestHandler = (_req, res) => {
    writeRawError(res, 'gateway_unavailable', 'The gateway is starting; try again shortly');
  };
  // changeOrigin: the dashboard sees its own host:port in Host (spec §7.3).
  const proxy = createProxyServer({ xfwd: true, ws: true, changeOrigin: true });
  proxy.on('error', (err, _req, resOrSocket) => {
    log.info({ err: err.message }, 'dashboard proxy error');
    if (resOrSocket instanceof http.ServerResponse) {
      if (!resOrSocket.headersSent) resOrSocket.writeHead(502);
      resOrSocket.end();
    } else if (resOrSocket instanceof net.Socket) {
      resOrSocket.destroy();
    }
  });

  /** A dashboard route (anything but the root) claiming `url`, with the path to forward. */
  const dashboardTarget = (url: string | undefined) => {
    const m = routes.matchPath(url ?? '/');
    return m === null || m.prefix === '/' ? null : m;
  };

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

  const httpServer = http.createServer((req, res) => {
    const m = dashboardTarget(req.url);
    if (m !== null) {
      req.url = m.rest;
      proxy.web(req, res, { target: m.target });
      return;
    }
    if (!stripPrefix(req)) {
      writeRawError(res, 'not_found', 'Not Found');
      return;
    }
    apiHandler(req, res);
  });
  httpServer.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const m = dashboardTarget(req.url);
    if (m === null) {
      socket.destroy();
      return;
    }
    req.url = m.rest;
    proxy.ws(req, socket, head, { target: m.target });
  });
  httpServer.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const toHttp = (socket: net.Socket) => {
    httpServer.emit('connection', socket);
  };
  const sockets = new Set<net.Socket>();
  const router = createSniRouter(routes, toHttp, log, deps.limits, deps.clients);
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
    listen: (host, port) => listenTcp(tcp, host, port),
    close() {
      return new Promise((resolve) => {
        tcp.close(() => {
          resolve();
        });
        for (const s of sockets) s.destroy();
        proxy.close();
      });
    },
  };
}
