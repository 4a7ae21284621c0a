/**
 * The id of a request: the client's `X-Request-Id` when it is short and log-safe, else a new
 * UUID. Every log line of a request and every error body carries it (a leaf module, so the
 * public port and the API share it without importing each other).
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The header a request id travels in, both ways. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** A client-sent request id we accept as ours: short and log-safe. */
const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The request id of `req`: the client's `X-Request-Id` when sane, else a new UUID. */
export function requestIdOf(req: { readonly headers: IncomingHttpHeaders }): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && SANE_REQUEST_ID.test(sent) ? sent : randomUUID();
}
