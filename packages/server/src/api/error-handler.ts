/**
 * The one place where API errors become HTTP responses: GatewayError codes map to statuses
 * (errors-http.ts), the framework's own client errors keep their 4xx status, and anything else
 * is a logged 500.
 * @module
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from '@gatehouse/api';
import { GatewayError, type Refusal } from '../errors.js';
import { STATUS_OF, errorBody } from '../errors-http.js';
import { isStaleWrite, type StaleWriteError } from '../store/stale-write.js';
import { isFencedWrite, type FencedWriteError } from '../store/write-fence.js';
import type { ApiApp } from './api-app.js';

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

/** Sends `{error, code, request_id}` with the status of `code`. */
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
    .send(errorBody(code, message, reply.request.id, field));
}

/** The message of a framework client error, made actionable. */
function frameworkMessage(err: FastifyError, req: FastifyRequest): string {
  if (err.statusCode === 413) {
    const limit = req.routeOptions.bodyLimit;
    return `Request body is larger than this route's limit of ${String(limit)} bytes`;
  }
  if (err.message.includes('JSON')) return `Request body is not valid JSON: ${err.message}`;
  return err.message;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The answer to a lost compare-and-set race: what changed, and that a retry reads it anew. */
function conflict(err: StaleWriteError): GatewayError {
  const what = err.table === 'clusters' ? `cluster ${err.key}` : `worker ${err.key}`;
  const how = err.actual === null ? 'was removed' : 'changed';
  return new GatewayError(
    'conflict',
    `The ${what} ${how} while this request was acted on (another gateway process wrote it); retry`,
    { cause: err }
  );
}

/** The answer to a write fenced off because this replica no longer leads. */
function fenced(err: FencedWriteError): GatewayError {
  return new GatewayError(
    'gateway_unavailable',
    'This gateway replica no longer leads (another took over); retry through another replica',
    { cause: err, headers: { 'Retry-After': '5' } }
  );
}

/**
 * Installs the error and not-found handlers on `app`; `onError` sees every error code sent, with
 * who was refused what when the error says (it records refusals: api/refusals.ts).
 */
export function installErrorHandling(
  app: ApiApp,
  onError: (code: ErrorCode, refusal?: Refusal) => void = () => undefined
): void {
  app.setErrorHandler((thrown: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const err = isStaleWrite(thrown)
      ? conflict(thrown)
      : isFencedWrite(thrown)
        ? fenced(thrown)
        : thrown;
    if (err instanceof GatewayError) {
      onError(err.code, err.refusal);
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
      onError(codeForStatus(err.statusCode));
      return sendError(reply, codeForStatus(err.statusCode), frameworkMessage(err, req));
    }
    req.log.error({ err }, 'unhandled error');
    onError('internal');
    return sendError(reply, 'internal', 'Internal server error; the gateway log has the details');
  });
  const notFoundOrNotAllowed = (req: FastifyRequest, reply: FastifyReply) => {
    const [url = '/'] = req.url.split('?');
    const allowed = METHODS.filter((m) => {
      const found = app.findRoute({ method: m, url });
      // findRoute's typings omit the null it returns when nothing matches; a parametric
      // route matched with an empty segment (`/clusters/`) is no route (spec §1.2).
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
      return found !== null && !Object.values(found.params).includes('');
    });
    if (allowed.length > 0) {
      onError('method_not_allowed');
      return sendError(reply, 'method_not_allowed', `Method ${req.method} not allowed on ${url}`, {
        Allow: allowed.join(', '),
      });
    }
    onError('not_found');
    return sendError(reply, 'not_found', 'Not Found');
  };
  // Unrouted requests are answered before their body is read or parsed.
  app.addHook('onRequest', async (req, reply) => {
    if (req.routeOptions.url === undefined) await notFoundOrNotAllowed(req, reply);
  });
  app.setNotFoundHandler(notFoundOrNotAllowed);
}
