/**
 * One attempt at forwarding an API request to one gateway replica, telling apart what may be
 * retried elsewhere: a connection that never opened (nothing reached the replica), a connection
 * lost before any answer (the replica may have acted), and an answer. The answer is passed on
 * by `relay`, streaming (long polls and event streams included).
 * @module
 */
import http from 'node:http';
import type { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';

/** How one attempt ended. */
export type Attempt =
  | { readonly kind: 'answered'; readonly res: http.IncomingMessage }
  | { readonly kind: 'unreached'; readonly err: Error }
  | { readonly kind: 'lost'; readonly err: Error };

/** Headers that describe one connection, not the request (never forwarded either way). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'upgrade']);

/** `headers` without the hop-by-hop ones. */
function endToEnd(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k)));
}

/** The caller's headers with `X-Forwarded-*` added (Host is kept: the gateway sees the caller's). */
export function forwardedHeaders(req: http.IncomingMessage): http.OutgoingHttpHeaders {
  const headers = endToEnd(req.headers);
  const encrypted = (req.socket as Partial<TLSSocket>).encrypted === true;
  const hostPort = /:(\d+)$/.exec(req.headers.host ?? '')?.[1];
  const values: Record<string, string> = {
    for: req.socket.remoteAddress ?? '',
    port: hostPort ?? (encrypted ? '443' : '80'),
    proto: encrypted ? 'https' : 'http',
  };
  for (const [k, v] of Object.entries(values)) {
    const prev = req.headers[`x-forwarded-${k}`];
    headers[`x-forwarded-${k}`] = typeof prev === 'string' && prev !== '' ? `${prev},${v}` : v;
  }
  headers['x-forwarded-host'] = req.headers['x-forwarded-host'] ?? req.headers.host ?? '';
  return headers;
}

/**
 * Sends `req` (its body: `body`, a buffer that can be sent again or the one-time stream) to the
 * replica at `base`; aborted when `client` goes away first.
 */
export function sendUpstream(
  base: string,
  req: http.IncomingMessage,
  body: Buffer | Readable,
  client: http.ServerResponse
): Promise<Attempt> {
  return new Promise((resolve) => {
    let connected = false;
    const up = http.request(
      `${base}${req.url ?? '/'}`,
      { method: req.method ?? 'GET', headers: forwardedHeaders(req), agent: false },
      (res) => {
        resolve({ kind: 'answered', res });
      }
    );
    up.on('socket', (s) => {
      if (!s.connecting) connected = true;
      else s.once('connect', () => (connected = true));
    });
    up.on('error', (err) => {
      resolve(connected ? { kind: 'lost', err } : { kind: 'unreached', err });
    });
    client.once('close', () => {
      if (!client.writableFinished) up.destroy();
    });
    if (Buffer.isBuffer(body)) up.end(body);
    else body.pipe(up);
  });
}

/** Passes the replica's answer `up` on to `res`, ending `res` abruptly if `up` breaks off. */
export function relay(up: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(up.statusCode ?? 502, up.statusMessage, endToEnd(up.headers));
  up.pipe(res);
  up.on('close', () => {
    if (!up.complete) res.destroy();
  });
  res.on('close', () => {
    if (!res.writableFinished) up.destroy();
  });
}
