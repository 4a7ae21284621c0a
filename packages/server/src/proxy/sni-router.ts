/**
 * The TCP side of the public port (spec §7.2): reads the first TLS record without consuming it
 * for good, splices `daskgateway-<name>` connections to that cluster's scheduler without
 * terminating TLS, and hands every other connection (plain HTTP) to the HTTP server.
 * @module
 */
import net from 'node:net';
import type { Logger } from 'pino';
import { MAX_HELLO_BYTES, parseClientHello } from './client-hello.js';
import type { ProxyMeter, RefusalReason } from '../observability/metrics.js';
import type { ClientTracker } from './client-tracker.js';
import { createPendingHandshakes } from './pending-handshakes.js';
import type { RouteTable } from './route-table.js';

const SNI_PREFIX = 'daskgateway-';

/** Limits against slow or abusive clients. */
export interface SniRouterLimits {
  /** Milliseconds a client may take to send its first record. @default 10000 */
  readonly helloTimeoutMs?: number;
  /** Connections allowed to be waiting for their first record at once. @default 1024 */
  readonly maxPendingHellos?: number;
  /**
   * Of those, how many one source address may hold; past either limit the oldest waiting
   * connection is closed (see pending-handshakes.ts). @default 64
   */
  readonly maxPendingHellosPerSource?: number;
  /** Milliseconds to connect to a scheduler. @default 10000 */
  readonly connectTimeoutMs?: number;
}

/** Who is told about the router's connections. */
export interface SniRouterObservers {
  /** Told about every client connection spliced to a scheduler. */
  readonly clients?: ClientTracker;
  /** Meters spliced connections and their bytes. */
  readonly meter?: ProxyMeter;
  /** Told about every refused connection. */
  readonly onRefusal?: (reason: RefusalReason) => void;
}

/** Splices one client socket and an upstream socket, with half-close in both directions. */
function splice(client: net.Socket, upstream: net.Socket): void {
  client.pipe(upstream);
  upstream.pipe(client);
  const destroyBoth = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', destroyBoth);
  upstream.on('error', destroyBoth);
  client.on('close', () => upstream.destroy());
  upstream.on('close', () => client.destroy());
}

/**
 * Returns a `connection` handler for a `net.Server` (created with `allowHalfOpen: true`).
 * `toHttp` receives non-scheduler sockets with their first bytes pushed back.
 */
export function createSniRouter(
  routes: RouteTable,
  toHttp: (socket: net.Socket) => void,
  log: Logger,
  limits: SniRouterLimits = {},
  observers: SniRouterObservers = {}
): (socket: net.Socket) => void {
  const { clients, meter } = observers;
  const refused = observers.onRefusal ?? (() => undefined);
  const helloTimeout = limits.helloTimeoutMs ?? 10_000;
  const maxPending = limits.maxPendingHellos ?? 1024;
  const maxPerSource = limits.maxPendingHellosPerSource ?? 64;
  const connectTimeout = limits.connectTimeoutMs ?? 10_000;
  const pending = createPendingHandshakes(maxPending, maxPerSource);

  return (socket) => {
    const source = socket.remoteAddress ?? '';
    const release = pending.admit(source, () => {
      if (settle()) {
        refused('handshake_limit');
        socket.destroy();
      }
    });
    let buf: Buffer = Buffer.alloc(0);
    let settled = false;
    const settle = () => {
      if (settled) return false;
      settled = true;
      release();
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('error', onEarlyError);
      socket.removeListener('end', onEarlyEnd);
      socket.removeListener('close', onEarlyClose);
      return true;
    };
    const timer = setTimeout(() => {
      if (settle()) {
        refused('handshake_timeout');
        socket.destroy();
      }
    }, helloTimeout);
    const onEarlyError = () => {
      if (settle()) socket.destroy();
    };
    const onEarlyEnd = () => {
      if (settle()) socket.destroy();
    };
    const onEarlyClose = () => {
      settle();
    };

    const onData = (chunk: Buffer) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      const hello = parseClientHello(buf.subarray(0, MAX_HELLO_BYTES));
      if (hello.kind === 'need-more' && buf.length < MAX_HELLO_BYTES) return;
      if (!settle()) return;
      socket.pause();
      if (hello.kind === 'not-tls') {
        socket.unshift(buf);
        toHttp(socket);
        socket.resume();
        return;
      }
      const name =
        hello.kind === 'sni' && hello.name.startsWith(SNI_PREFIX)
          ? hello.name.slice(SNI_PREFIX.length)
          : null;
      const target = name === null ? undefined : routes.lookupSni(name);
      if (target === undefined) {
        log.info(
          { sni: hello.kind === 'sni' ? hello.name : null },
          'no route for TLS connection; closing'
        );
        refused('tls_no_route');
        socket.destroy();
        return;
      }
      const colon = target.lastIndexOf(':');
      const upstream = net.connect({
        host: target.slice(0, colon),
        port: Number(target.slice(colon + 1)),
        allowHalfOpen: true,
      });
      upstream.setTimeout(connectTimeout, () => upstream.destroy());
      upstream.once('connect', () => {
        upstream.setTimeout(0);
        upstream.setNoDelay(true);
        socket.setNoDelay(true);
        upstream.write(buf);
        splice(socket, upstream);
        meter?.track('scheduler', socket);
        if (clients !== undefined && name !== null) {
          clients.opened(name);
          socket.once('close', () => {
            clients.closed(name);
          });
        }
        socket.resume();
      });
      upstream.once('error', (err) => {
        log.info({ cluster: name, err: err.message }, 'scheduler connection failed');
        socket.destroy();
      });
    };
    socket.on('data', onData);
    socket.on('error', onEarlyError);
    socket.on('end', onEarlyEnd);
    socket.on('close', onEarlyClose);
  };
}
