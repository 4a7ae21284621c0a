/**
 * The HTTP side of the public port and its limits: request heads are capped (431), the head
 * and the whole request must arrive in time (408), and silent connections are closed. Long-lived
 * traffic is exempt from the idle timeout: `?wait` long polls, event streams (any `/events` path
 * or an `Accept: text/event-stream` request), dashboard WebSockets and spliced scheduler
 * connections. A request head that never became a request is answered from the one error
 * mapping (errors-http.ts).
 * @module
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { socketErrorAnswer } from '../errors-http.js';
import type { RefusalReason } from '../observability/metrics.js';

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

/**
 * Creates the HTTP server of the public port (it never listens itself: the TCP side hands it
 * connections), with `limits` applied and `onRequest` serving each request.
 */
export function createLimitedHttpServer(
  limits: HttpLimits,
  onRequest: http.RequestListener,
  refused: (reason: RefusalReason) => void
): http.Server {
  const maxHeaderBytes = limits.maxHeaderBytes ?? 16384;
  const headersTimeout = limits.headersTimeoutMs ?? 20_000;
  const requestTimeout = limits.requestTimeoutMs ?? 120_000;
  const httpServer = http.createServer(
    {
      maxHeaderSize: maxHeaderBytes,
      headersTimeout,
      // Node requires requestTimeout >= headersTimeout unless it is 0 (none).
      requestTimeout: requestTimeout === 0 ? 0 : Math.max(requestTimeout, headersTimeout),
      keepAliveTimeout: limits.keepAliveTimeoutMs ?? 5000,
      connectionsCheckingInterval: Math.max(100, Math.min(headersTimeout, 30_000) / 4),
    },
    (req, res) => {
      if (isLongLived(req)) req.socket.setTimeout(0);
      onRequest(req, res);
    }
  );
  httpServer.timeout = limits.idleTimeoutMs ?? 120_000;
  httpServer.on('clientError', (err: NodeJS.ErrnoException, socket: net.Socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(clientErrorAnswer(err, maxHeaderBytes, refused));
  });
  return httpServer;
}
