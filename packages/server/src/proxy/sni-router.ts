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

/** What every connection of one router shares. */
interface RouterContext {
  readonly routes: RouteTable;
  readonly toHttp: (socket: net.Socket) => void;
  readonly log: Logger;
  readonly refused: (reason: RefusalReason) => void;
  readonly observers: SniRouterObservers;
  readonly helloTimeout: number;
  readonly connectTimeout: number;
  readonly pending: ReturnType<typeof createPendingHandshakes>;
}

/** The first record of a connection, as read so far, and what it parsed as. */
type FirstRecord = { readonly buf: Buffer; readonly hello: ReturnType<typeof parseClientHello> };

/**
 * Reads a connection's first record without consuming it for good, within the hello timeout
 * and the pending-handshake limits; `onRecord` gets it with the socket paused.
 */
function waitForFirstRecord(
  ctx: RouterContext,
  socket: net.Socket,
  onRecord: (record: FirstRecord) => void
): void {
  const release = ctx.pending.admit(socket.remoteAddress ?? '', () => {
    if (settle()) {
      ctx.refused('handshake_limit');
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
    socket.removeListener('end', onEarlyError);
    socket.removeListener('close', onEarlyClose);
    return true;
  };
  const timer = setTimeout(() => {
    if (settle()) {
      ctx.refused('handshake_timeout');
      socket.destroy();
    }
  }, ctx.helloTimeout);
  const onEarlyError = () => {
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
    onRecord({ buf, hello });
  };
  socket.on('data', onData);
  socket.on('error', onEarlyError);
  socket.on('end', onEarlyError);
  socket.on('close', onEarlyClose);
}

/** Hands plain HTTP on, splices a routed scheduler connection, and closes anything else. */
function routeFirstRecord(ctx: RouterContext, socket: net.Socket, record: FirstRecord): void {
  const { buf, hello } = record;
  if (hello.kind === 'not-tls') {
    socket.unshift(buf);
    ctx.toHttp(socket);
    socket.resume();
    return;
  }
  const name =
    hello.kind === 'sni' && hello.name.startsWith(SNI_PREFIX)
      ? hello.name.slice(SNI_PREFIX.length)
      : null;
  const target = name === null ? undefined : ctx.routes.lookupSni(name);
  if (name === null || target === undefined) {
    ctx.log.info(
      { sni: hello.kind === 'sni' ? hello.name : null },
      'no route for TLS connection; closing'
    );
    ctx.refused('tls_no_route');
    socket.destroy();
    return;
  }
  spliceToScheduler(ctx, socket, buf, name, target);
}

/** Connects to the scheduler at `target` (host:port), replays `buf` and splices the two. */
function spliceToScheduler(
  ctx: RouterContext,
  socket: net.Socket,
  buf: Buffer,
  name: string,
  target: string
): void {
  const { clients, meter } = ctx.observers;
  const colon = target.lastIndexOf(':');
  const upstream = net.connect({
    host: target.slice(0, colon),
    port: Number(target.slice(colon + 1)),
    allowHalfOpen: true,
  });
  upstream.setTimeout(ctx.connectTimeout, () => upstream.destroy());
  upstream.once('connect', () => {
    upstream.setTimeout(0);
    upstream.setNoDelay(true);
    socket.setNoDelay(true);
    upstream.write(buf);
    splice(socket, upstream);
    meter?.track('scheduler', socket);
    if (clients !== undefined) {
      clients.opened(name);
      socket.once('close', () => {
        clients.closed(name);
      });
    }
    socket.resume();
  });
  upstream.once('error', (err) => {
    ctx.log.info({ cluster: name, err: err.message }, 'scheduler connection failed');
    socket.destroy();
  });
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
  const ctx: RouterContext = {
    routes,
    toHttp,
    log,
    refused: observers.onRefusal ?? (() => undefined),
    observers,
    helloTimeout: limits.helloTimeoutMs ?? 10_000,
    connectTimeout: limits.connectTimeoutMs ?? 10_000,
    pending: createPendingHandshakes(
      limits.maxPendingHellos ?? 1024,
      limits.maxPendingHellosPerSource ?? 64
    ),
  };
  return (socket) => {
    waitForFirstRecord(ctx, socket, (record) => {
      routeFirstRecord(ctx, socket, record);
    });
  };
}
