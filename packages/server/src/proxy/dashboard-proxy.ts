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
import { REQUEST_ID_HEADER, requestIdOf } from '../api/request-id.js';
import { rawErrorAnswer, writeRawError } from '../errors-http.js';
import type { ProxyMeter } from '../observability/metrics.js';
import { stripCredentialsOn } from './credential-strip.js';
import type { DashboardAuthorizer, DashboardVerdict } from './ports.js';
import { refusalPage, wantsHtml } from './refusal-page.js';
import type { RouteTable } from './route-table.js';

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
  /** The web UI's path, which a browser's refusal page links back to (default `/ui/`). */
  readonly uiHref?: string;
}

/** Claims dashboard requests and upgrades; the rest is left to the caller. */
export interface DashboardProxy {
  /** Handles `req` when it is a dashboard's; false when it is not (the API's). */
  request(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** Handles an upgrade when it is a dashboard's; false when it is not. */
  upgrade(req: http.IncomingMessage, socket: net.Socket, head: Buffer): boolean;
  close(): void;
}

/** The cluster a dashboard route prefix (`<prefix>/clusters/<name>`) belongs to. */
function clusterOf(routePrefix: string): string {
  return decodeURIComponent(routePrefix.split('/').pop() ?? '');
}

/** The reverse proxy to schedulers: credentials stripped, `sandboxed` answers under the CSP. */
function createForwarder(log: Logger, sandboxed: WeakSet<http.IncomingMessage>) {
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
  return proxy;
}

/** Counts a proxied dashboard request and the bytes its connection moved meanwhile. */
function meterRequest(
  meter: ProxyMeter | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse
): void {
  if (meter === undefined) return;
  const r = meter.request('dashboard');
  const s = req.socket;
  const read0 = s.bytesRead;
  const written0 = s.bytesWritten;
  res.once('close', () => {
    r.bytes('in', s.bytesRead - read0);
    r.bytes('out', s.bytesWritten - written0);
    r.done();
  });
}

/**
 * The refusal to send for `verdict` (the authorizer's, or the 404 of a claimed request without
 * a route), naming the request's id in X-Request-Id.
 */
function refusalOf(
  req: http.IncomingMessage,
  verdict: DashboardVerdict | null
): { status: number; headers: Record<string, string>; body: string } {
  const id = requestIdOf(req);
  if (verdict === null) return rawErrorAnswer('not_found', 'Not Found', id);
  if (verdict.allow) throw new Error('an allowed dashboard request is not refused');
  return { ...verdict, headers: { ...verdict.headers, [REQUEST_ID_HEADER]: id } };
}

/**
 * A browser's refusal as a page with a way back to the web UI at `uiHref`; a script keeps the
 * JSON error. Redirects (the login page, a dashboard host) stay as they are.
 */
function pageOrJson(
  req: http.IncomingMessage,
  r: ReturnType<typeof refusalOf>,
  uiHref = '/ui/'
): ReturnType<typeof refusalOf> {
  return r.status >= 400 && wantsHtml(req.headers) ? refusalPage(r, requestIdOf(req), uiHref) : r;
}

/** Ends an upgrade's socket with a refusal. */
function refuseUpgrade(socket: net.Socket, r: ReturnType<typeof refusalOf>): void {
  const reason = http.STATUS_CODES[r.status] ?? 'Forbidden';
  const head = Object.entries({ ...r.headers, 'Content-Type': 'application/json' })
    .filter(([k]) => k.toLowerCase() !== 'content-length')
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${String(r.status)} ${reason}\r\nConnection: close\r\n${head}` +
      `Content-Length: ${String(Buffer.byteLength(r.body))}\r\n\r\n${r.body}`
  );
}

/** Creates the dashboard proxy. */
export function createDashboardProxy(deps: DashboardProxyDeps): DashboardProxy {
  const { routes, log } = deps;
  const hostOf = deps.dashboardHostOf ?? (() => null);
  /** Requests answered on the gateway's origin, whose answers get the sandboxing CSP. */
  const sandboxed = new WeakSet<http.IncomingMessage>();
  const proxy = createForwarder(log, sandboxed);

  /** Which cluster a request is for and the route serving it (null: claimed, but no route). */
  const claim = (req: http.IncomingMessage) => {
    const onHost = hostOf(req.headers.host);
    const m = routes.matchPath(req.url ?? '/');
    // A dashboard route (anything but the root) claims the request.
    const match = m === null || m.prefix === '/' ? null : m;
    if (onHost === null && match === null) return null;
    // One id for the request: the authorizer, the gateway's check and the refusal all name it.
    req.headers['x-request-id'] = requestIdOf(req);
    if (onHost === null) return { cluster: clusterOf(match?.prefix ?? ''), match };
    // A dashboard host serves its own cluster's routes and nothing else.
    return {
      cluster: onHost,
      match: match !== null && clusterOf(match.prefix) === onHost ? match : null,
    };
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
      const onVerdict = (verdict: DashboardVerdict) => {
        if (!verdict.allow || c.match === null) {
          const r = pageOrJson(req, refusalOf(req, verdict.allow ? null : verdict), deps.uiHref);
          res.writeHead(r.status, r.headers);
          res.end(r.body);
          return;
        }
        if (verdict.sandbox === true) sandboxed.add(req);
        req.url = c.match.rest;
        meterRequest(deps.meter, req, res);
        proxy.web(req, res, { target: c.match.target });
      };
      decide(req, c.cluster, onVerdict, () => {
        writeRawError(res, 'internal', 'Dashboard authorization failed');
      });
      return true;
    },
    upgrade(req, socket, head) {
      const c = claim(req);
      if (c === null) return false;
      // A dashboard WebSocket is long-lived: no idle timeout.
      socket.setTimeout(0);
      const onVerdict = (verdict: DashboardVerdict) => {
        if (!verdict.allow || c.match === null) {
          refuseUpgrade(socket, refusalOf(req, verdict.allow ? null : verdict));
          return;
        }
        deps.meter?.track('dashboard', socket);
        req.url = c.match.rest;
        proxy.ws(req, socket, head, { target: c.match.target });
      };
      decide(req, c.cluster, onVerdict, () => socket.destroy());
      return true;
    },
    close() {
      proxy.close();
    },
  };
}
