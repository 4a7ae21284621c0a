/**
 * The one place where errors become HTTP responses: GatewayError codes map to statuses, the
 * framework's own client errors keep their 4xx status, and anything else is a logged 500.
 * @module
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '@gatehouse/api';
import { GatewayError } from '../errors.js';
import type { ApiApp } from './app.js';

/** HTTP status of each error code. Chosen for the Python client (spec §1.1). */
export const STATUS_OF: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_granted: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  invalid: 422,
  invalid_option: 422,
  quota_exceeded: 422,
  cluster_not_running: 409,
  upstream_failure: 502,
  internal: 500,
};

function codeForStatus(status: number): ErrorCode {
  if (status === 413) return 'payload_too_large';
  if (status === 404) return 'not_found';
  if (status === 405) return 'method_not_allowed';
  return 'bad_request';
}

/** A reason phrase safe for the status line: printable ASCII, one line, bounded. */
export function asciiReason(text: string): string {
  return text
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

function isFastifyError(err: unknown): err is FastifyError {
  return err instanceof Error && typeof (err as Partial<FastifyError>).statusCode === 'number';
}

/** Sends `{error, code}` with the status of `code`. */
export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  message: string,
  headers: Readonly<Record<string, string>> = {},
  field?: string
): FastifyReply {
  return reply
    .code(STATUS_OF[code])
    .headers(headers)
    .type('application/json')
    .send(field === undefined ? { error: message, code } : { error: message, code, field });
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Installs the error and not-found handlers on `app`. */
export function installErrorHandling(app: ApiApp): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof GatewayError) {
      if (STATUS_OF[err.code] >= 500) req.log.warn({ err, cause: err.cause }, err.message);
      if (err.statusText !== undefined) reply.raw.statusMessage = asciiReason(err.statusText);
      return sendError(reply, err.code, err.message, err.headers, err.field);
    }
    if (
      isFastifyError(err) &&
      err.statusCode !== undefined &&
      err.statusCode >= 400 &&
      err.statusCode < 500
    ) {
      const message = err.message.includes('JSON')
        ? `Request body is not valid JSON: ${err.message}`
        : err.message;
      return sendError(reply, codeForStatus(err.statusCode), message);
    }
    req.log.error({ err }, 'unhandled error');
    return sendError(reply, 'internal', 'Internal server error; the gateway log has the details');
  });
  app.setNotFoundHandler((req, reply) => {
    const [url = '/'] = req.url.split('?');
    const allowed = METHODS.filter(
      // findRoute's typings omit the null it returns when nothing matches.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      (m) => app.findRoute({ method: m, url }) !== null
    );
    if (allowed.length > 0) {
      return sendError(reply, 'method_not_allowed', `Method ${req.method} not allowed on ${url}`, {
        Allow: allowed.join(', '),
      });
    }
    return sendError(reply, 'not_found', 'Not Found');
  });
}
