/**
 * The dashboard side of the public port: requests and WebSocket upgrades for a cluster's
 * dashboard are checked by the authorizer and reverse-proxied to its scheduler.
 *
 * Two kinds of request arrive. On the gateway's origin, `<prefix>/clusters/<name>/...` is claimed
 * by the cluster's route (the authorizer sends browsers on to the dashboard host, and lets
 * credentialed scripts through under a sandboxing CSP). On a cluster's own dashboard host
 * (`<cluster>.<domain>`, see dashboard-host.ts) every request is claimed: the authorizer decides
 * (code exchange, cookie), and only that cluster's routes are served there, never the API.
 * Credentials never pass either way (credential-strip.ts).
 * @module
 */
import http from 'node:http';
import net from 'node:net';
import type { Logger } from 'pino';
import { createProxyServer } from 'http-proxy-3';
import { writeRawError } from '../api/error-handler.js';
import type { ProxyMeter } from '../observability/metrics.js';
import { stripCredentialsOn } from './credential-strip.js';
import type { DashboardAuthorizer, DashboardVerdict } from './ports.js';
import type { PathMatch, RouteTable } from './route-table.js';

/** The CSP served with a dashboard answered on the gateway's own origin: no script runs. */
export const SANDBOX_CSP = 'sandbox';

/** What the dashboard proxy is built from. */
export interface DashboardProxyDeps {
  readonly routes: RouteTable;
  readonly log: Logger;
  readonly authorize: DashboardAuthorizer;
  /** The cluster whose dashboard host a Host header names, or null (default: none). */
  readonly dashboardHostOf?: (host: string | undefined) => string | null;
  readonly meter?: ProxyMeter;
}

/** Claims dashboard requests and upgrades; the rest is left to the caller. */
export interface DashboardProxy {
  /** Handles `req` when it is a dashboard's; false when it is not (the API's). */
  request(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** Handles an upgrade when it is a dashboard's; false when it is not. */
  upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): boolean;
  close(): void;
}

const NOT_FOUND = JSON.stringify({ error: 'Not Found', code: 'not_found' });

/** The cluster a dashboard route prefix (`<prefix>/clusters/<name>`) belongs to. */
function clusterOf(routePrefix: string): string {
  return decodeURIComponent(routePrefix.split('/').pop() ?? '');
}

/** Creates the dashboard proxy. */
export function createDashboardProxy(deps: DashboardProxyDeps): DashboardProxy {
  const { routes, log } = deps;
  const hostOf = deps.dashboardHostOf ?? (() => null);
  /** Requests answered on the gateway's origin, whose answers get the sandboxing CSP. */
  const sandboxed = new WeakSet<http.IncomingMessage>();
  // changeOrigin: the dashboard sees its own host:port in Host (spec §7.3).
  const proxy = createProxyServer({ xfwd: true, ws: true, changeOrigin: true });
  stripCredentialsOn(proxy);
  proxy.on('proxyRes', (proxyRes, req) => {
    if (sandboxed.has(req)) proxyRes.headers['content-security-policy'] = SANDBOX_CSP;
  });
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
  const target = (url: string | undefined): PathMatch | null => {
    const m = routes.matchPath(url ?? '/');
    return m === null || m.prefix === '/' ? null : m;
  };

  /** Which cluster a request is for and the route serving it (null: claimed, but no route). */
  const claim = (req: http.IncomingMessage) => {
    const onHost = hostOf(req.headers.host);
    const m = target(req.url);
    if (onHost === null) return m === null ? null : { cluster: clusterOf(m.prefix), match: m };
    // A dashboard host serves its own cluster's routes and nothing else.
    return { cluster: onHost, match: m !== null && clusterOf(m.prefix) === onHost ? m : null };
  };

  /** Counts a proxied dashboard request and the bytes its connection moved meanwhile. */
  const meterRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (deps.meter === undefined) return;
    const r = deps.meter.request('dashboard');
    const s = req.socket;
    const read0 = s.bytesRead;
    const written0 = s.bytesWritten;
    res.once('close', () => {
      r.bytes('in', s.bytesRead - read0);
      r.bytes('out', s.bytesWritten - written0);
      r.done();
    });
  };

  const refuse = (socket: net.Socket, status: number, body: string) => {
    const reason = http.STATUS_CODES[status] ?? 'Forbidden';
    socket.end(
      `HTTP/1.1 ${String(status)} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${String(Buffer.byteLength(body))}\r\n\r\n${body}`
    );
  };

  const decide = (
    req: http.IncomingMessage,
    cluster: string,
    onVerdict: (v: DashboardVerdict) => void,
    onError: () => void
  ) => {
    deps.authorize(req, cluster).then(onVerdict, (err: unknown) => {
      log.error({ err }, 'dashboard authorization failed');
      onError();
    });
  };

  return {
    request(req, res) {
      const c = claim(req);
      if (c === null) return false;
      decide(
        req,
        c.cluster,
        (verdict) => {
          if (!verdict.allow) {
            res.writeHead(verdict.status, { ...verdict.headers });
            res.end(verdict.body);
          } else if (c.match === null) {
            res.writeHead(404, { 'Content-Type': 'application/json' });
            res.end(NOT_FOUND);
          } else {
            if (verdict.sandbox === true) sandboxed.add(req);
            req.url = c.match.rest;
            meterRequest(req, res);
            proxy.web(req, res, { target: c.match.target });
          }
        },
        () => {
          writeRawError(res, 'internal', 'Dashboard authorization failed');
        }
      );
      return true;
    },
    upgrade(req, socket, head) {
      const c = claim(req);
      if (c === null) return false;
      // A dashboard WebSocket is long-lived: no idle timeout.
      socket.setTimeout(0);
      decide(
        req,
        c.cluster,
        (verdict) => {
          if (!verdict.allow) {
            refuse(socket, verdict.status, verdict.body);
          } else if (c.match === null) {
            refuse(socket, 404, NOT_FOUND);
          } else {
            deps.meter?.track('dashboard', socket);
            req.url = c.match.rest;
            proxy.ws(req, socket, head, { target: c.match.target });
          }
        },
        () => socket.destroy()
      );
      return true;
    },
    close() {
      proxy.close();
    },
  };
}
