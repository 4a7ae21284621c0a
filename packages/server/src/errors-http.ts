/**
 * The one mapping from error codes to HTTP: the status of each code, and the JSON body
 * (`{error, code, request_id, field?}`) every error answer carries. The API's error handler
 * (api/error-handler.ts) and the public port's answers outside the API framework (raw Node
 * responses, and raw sockets before a request exists) all answer through it.
 * @module
 */
import http from 'node:http';
import type { ErrorBody, ErrorCode } from '@gatehouse/api';
import { REQUEST_ID_HEADER, requestIdOf } from './api/request-id.js';

/** HTTP status of each error code. Chosen for the Python client (spec §1.1). */
export const STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_granted: 403,
  not_found: 404,
  method_not_allowed: 405,
  request_timeout: 408,
  conflict: 409,
  cluster_not_running: 409,
  payload_too_large: 413,
  invalid: 422,
  invalid_option: 422,
  quota_exceeded: 422,
  too_many_requests: 429,
  header_too_large: 431,
  internal: 500,
  upstream_failure: 502,
  gateway_unavailable: 503,
};

/** The body of an error answer. */
export function errorBody(
  code: ErrorCode,
  message: string,
  requestId: string,
  field?: string
): ErrorBody {
  return { error: message, code, request_id: requestId, ...(field === undefined ? {} : { field }) };
}

/** An error answer outside the API framework: status, headers and the serialised body. */
export interface RawErrorAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The answer for `code` with `message`, naming `requestId` in its body and X-Request-Id. */
export function rawErrorAnswer(
  code: ErrorCode,
  message: string,
  requestId: string,
  headers: Readonly<Record<string, string>> = {}
): RawErrorAnswer {
  const body = JSON.stringify(errorBody(code, message, requestId));
  return {
    status: STATUS_OF[code],
    headers: {
      ...headers,
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      [REQUEST_ID_HEADER]: requestId,
    },
    body,
  };
}

/**
 * Writes the error answer on a raw Node response, for the proxy's own answers outside the API
 * framework (no route, gateway unreachable); the request id is the request's own.
 */
export function writeRawError(
  res: http.ServerResponse,
  code: ErrorCode,
  message: string,
  headers: Readonly<Record<string, string>> = {}
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const answer = rawErrorAnswer(code, message, requestIdOf(res.req), headers);
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

/**
 * The whole HTTP/1.1 error answer (status line to body, `Connection: close`) for a socket that
 * never became a request (a head too large, too slow, or malformed).
 */
export function socketErrorAnswer(code: ErrorCode, message: string, requestId: string): string {
  const a = rawErrorAnswer(code, message, requestId, { Connection: 'close' });
  const reason = http.STATUS_CODES[a.status] ?? 'Error';
  const head = Object.entries(a.headers).map(([k, v]) => `${k}: ${v}\r\n`);
  return `HTTP/1.1 ${String(a.status)} ${reason}\r\n${head.join('')}\r\n${a.body}`;
}
