/**
 * The public port, served in process: one listener carries scheduler TLS (spliced by SNI),
 * dashboards (reverse-proxied by path, WebSockets included) and the API (spec §7).
 * @module
 */
import http from 'node:http';
import net from 'node:net';
import type { Logger } from 'pino';
import { createProxyServer } from 'http-proxy-3';
import { createSniRouter, type SniRouterLimits } from './sni-router.js';
import type { ClientTracker } from './client-tracker.js';
import type { RouteTable } from './route-table.js';

/** Handles a request that no dashboard route claims. */
export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Whether a dashboard request may pass, or the answer to send instead. */
export type DashboardVerdict =
  | { readonly allow: true }
  | {
      readonly allow: false;
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
    };

/** Decides whether a request (or WebSocket upgrade) may reach the dashboard of `cluster`. */
export type DashboardAuthorizer = (
  req: Pick<http.IncomingMessage, 'headers' | 'method' | 'url'>,
  cluster: string
) => Promise<DashboardVerdict>;

/** The listening public port. */
export interface PublicServer {
  /** The HTTP server that API requests reach (give it to the API framework). */
  readonly httpServer: http.Server;
  /** Installs the API's request handler (everything not routed to a dashboard). */
  setApiHandler(handler: RequestHandler): void;
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
  /** Checked before every dashboard request and WebSocket upgrade is forwarded. */
  readonly authorizeDashboard: DashboardAuthorizer;
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ error: 'Not Found', code: 'not_found' }));
}

/** Creates the public server (not yet listening). */
export function createPublicServer(deps: PublicServerDeps): PublicServer {
  const { routes, log, prefix } = deps;
  let apiHandler: RequestHandler = (_req, res) => {
    res.writeHead(503, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: 'Gateway is starting', code: 'internal' }));
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

  /** The cluster a dashboard route prefix (`<prefix>/clusters/<name>`) belongs to. */
  const clusterOf = (routePrefix: string) => decodeURIComponent(routePrefix.split('/').pop() ?? '');

  const refuse = (socket: net.Socket, status: number, body: string) => {
    const reason = http.STATUS_CODES[status] ?? 'Forbidden';
    socket.end(
      `HTTP/1.1 ${String(status)} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${String(Buffer.byteLength(body))}\r\n\r\n${body}`
    );
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
      deps.authorizeDashboard(req, clusterOf(m.prefix)).then(
        (verdict) => {
          if (verdict.allow) {
            req.url = m.rest;
            proxy.web(req, res, { target: m.target });
          } else {
            res.writeHead(verdict.status, { ...verdict.headers });
            res.end(verdict.body);
          }
        },
        (err: unknown) => {
          log.error({ err }, 'dashboard authorization failed');
          res.writeHead(500);
          res.end();
        }
      );
      return;
    }
    if (!stripPrefix(req)) {
      notFound(res);
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
    deps.authorizeDashboard(req, clusterOf(m.prefix)).then(
      (verdict) => {
        if (verdict.allow) {
          req.url = m.rest;
          proxy.ws(req, socket, head, { target: m.target });
        } else {
          refuse(socket, verdict.status, verdict.body);
        }
      },
      (err: unknown) => {
        log.error({ err }, 'dashboard authorization failed');
        socket.destroy();
      }
    );
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
    listen(host, port) {
      return new Promise((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host, port }, () => {
          tcp.removeListener('error', reject);
          const addr = tcp.address();
          if (addr === null || typeof addr === 'string') {
            reject(new Error('listening on an unexpected address'));
            return;
          }
          resolve({ host: addr.address, port: addr.port });
        });
      });
    },
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
