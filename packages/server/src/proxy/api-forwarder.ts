/**
 * The API side of a separately run proxy: every request no dashboard route claims goes to a
 * gateway replica's private API. With several replicas (`proxy.gateway_urls`) requests go to
 * the leader when one is known, else to any healthy replica (routes every replica serves); a
 * follower's 503 `gateway_unavailable` (a cluster route) is sent again to the leader once one
 * is known. A request whose connection never opened is retried on another replica, and one
 * whose connection was lost before an answer too if it is idempotent (GET, HEAD, OPTIONS).
 * While no replica can take it (a takeover, a restart) a request is held, up to `holdMs`; then
 * the caller gets a 503 with a JSON error saying so, never a hang. Bodies up to
 * REPLAY_LIMIT bytes are buffered so they can be sent again; larger ones get one attempt.
 * @module
 */
import type http from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { Logger } from 'pino';
import { parseRole, ROLE_HEADER } from '../ha/role-header.js';
import { writeRawError } from '../errors-http.js';
import type { RequestHandler } from './ports.js';
import type { UpstreamPool } from './upstream-pool.js';
import { relay, sendUpstream } from './upstream-request.js';

/** The message callers read while the gateway cannot be reached. */
export const GATEWAY_UNAVAILABLE =
  'The gateway is not reachable right now (it may be restarting); try again in a few seconds';

/** Request bodies up to this size are kept so a retry can send them again. */
export const REPLAY_LIMIT = 1024 * 1024;

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The request's body: a buffer when it fits REPLAY_LIMIT, else a stream of all of it. */
function readBody(req: http.IncomingMessage): Promise<Buffer | Readable> {
  const length = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && (length === undefined || length === '0')) {
    req.resume();
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size <= REPLAY_LIMIT) return;
      // Too large to keep: what was read, then the rest, as one stream.
      req.pause();
      req.off('data', onData);
      req.off('end', onEnd);
      const all = new PassThrough();
      for (const c of chunks) all.write(c);
      req.pipe(all);
      resolve(all);
    };
    const onEnd = () => {
      resolve(Buffer.concat(chunks));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

/** What the forwarder needs. */
export interface ApiForwarderOptions {
  readonly pool: UpstreamPool;
  /** How long a request waits for a replica that can take it (milliseconds). */
  readonly holdMs: number;
  readonly log: Logger;
}

/** Forwards API requests to the replicas of `pool`; `close()` stops its health checks. */
export function createApiForwarder(o: ApiForwarderOptions): {
  readonly handler: RequestHandler;
  close(): void;
} {
  const { pool, log } = o;
  const unavailable = (res: http.ServerResponse) => {
    writeRawError(res, 'gateway_unavailable', GATEWAY_UNAVAILABLE, { 'Retry-After': '5' });
  };

  async function forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const deadline = Date.now() + o.holdMs;
    const tried = new Set<string>();
    let needLeader = false;
    for (;;) {
      if (res.destroyed) return;
      const up = needLeader ? pool.leader() : pool.pick(tried);
      if (up === null) {
        const left = deadline - Date.now();
        if (left <= 0) {
          log.info({ url: req.url, upstreams: pool.list() }, 'no gateway replica took a request');
          unavailable(res);
          return;
        }
        await pool.changed(left);
        tried.clear();
        continue;
      }
      const a = await sendUpstream(up.url, req, body, res);
      if (a.kind === 'answered') {
        const role = a.res.headers[ROLE_HEADER];
        pool.answered(up.url, role);
        if (a.res.statusCode === 503 && parseRole(role) === 'follower' && Buffer.isBuffer(body)) {
          // A cluster route on a follower: the leader answers it (held until one is known).
          a.res.resume();
          needLeader = true;
          continue;
        }
        relay(a.res, res);
        return;
      }
      log.info({ err: a.err.message, upstream: up.url, url: req.url }, 'gateway replica lost');
      pool.down(up.url);
      const again = a.kind === 'unreached' || IDEMPOTENT.has(req.method ?? 'GET');
      if (!again || !Buffer.isBuffer(body)) {
        unavailable(res);
        return;
      }
      tried.add(up.url);
    }
  }

  return {
    handler: (req, res) => {
      forward(req, res).catch((err: unknown) => {
        log.warn({ err, url: req.url }, 'forwarding an API request failed');
        unavailable(res);
      });
    },
    close: () => {
      pool.stop();
    },
  };
}
