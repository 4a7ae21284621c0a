/**
 * The SDK's error classes: one per kind of failure, chosen from the server's machine-readable
 * error `code` (never from its message text), plus the failures only a client sees (the
 * gateway cannot be reached, a cluster failed while we waited).
 * @module
 */
import type { ErrorCode } from '@gatehouse/api';

/** Every error the SDK throws. `message` is the server's `error` text when there is one. */
export class GatehouseError extends Error {
  /** The HTTP status of the failed response, or `null` when no response arrived. */
  readonly status: number | null;
  /** The server's error code (one of `ERROR_CODES`), or a client-side code such as `unreachable`. */
  readonly code: string;

  /**
   * @param message - what went wrong, in words a user can act on.
   * @param status - the HTTP status, `null` without a response.
   * @param code - the server's error code, or a client-side one.
   * @param options - `cause`: the underlying error.
   */
  constructor(message: string, status: number | null, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
  }
}

/** No credentials, or the server rejected them (`unauthenticated`, HTTP 401). */
export class UnauthenticatedError extends GatehouseError {}

/** The caller may not do this: not the cluster's owner, or not an admin (`forbidden`, 403). */
export class ForbiddenError extends GatehouseError {}

/** The caller is authenticated but no admin granted them access (`not_granted`, 403). */
export class NotGrantedError extends GatehouseError {}

/** The cluster, request, token or route does not exist (`not_found`, 404). */
export class NotFoundError extends GatehouseError {}

/** A cluster option was refused (`invalid_option`, 422); `field` names it when known. */
export class InvalidOptionsError extends GatehouseError {
  /** The option that failed validation, or `null` when the server named none. */
  readonly field: string | null;

  /** @param field - the failing option, `null` when unknown. */
  constructor(message: string, status: number | null, code: string, field: string | null) {
    super(message, status, code);
    this.field = field;
  }
}

/** Creating a cluster would pass one of the user's quotas (`quota_exceeded`, 422). */
export class QuotaExceededError extends GatehouseError {}

/**
 * The request itself was malformed or refused (`invalid`, `bad_request`,
 * `method_not_allowed`, `payload_too_large`): a bad scale count, an unknown status name…
 */
export class InvalidRequestError extends GatehouseError {}

/** The cluster is not running, so it cannot do this yet (`cluster_not_running`, 409). */
export class ClusterNotRunningError extends GatehouseError {}

/**
 * The gateway failed (`internal`, `upstream_failure`, any 5xx), or answered something that is
 * not the Gatehouse API (then `code` is `bad_response`).
 */
export class ServerError extends GatehouseError {}

/** No response: the address is wrong, the gateway is down, or the network failed. */
export class UnreachableError extends GatehouseError {}

/** A cluster failed or stopped while we waited for it; `reason` and `logTail` say why. */
export class ClusterFailedError extends GatehouseError {
  /** The cluster's name. */
  readonly cluster: string;
  /** Its status when the wait ended: `FAILED` or `STOPPED` (or `STOPPING`). */
  readonly clusterStatus: string;
  /** The recorded cause (a stop reason such as `failure` or `idle`), or `null`. */
  readonly reason: string | null;
  /** The scheduler's last log lines, when the server recorded them. */
  readonly logTail: string | null;

  /** @param details - the cluster, its status and what the server recorded about why. */
  constructor(
    message: string,
    details: { cluster: string; status: string; reason: string | null; logTail: string | null }
  ) {
    super(message, null, 'cluster_failed');
    this.cluster = details.cluster;
    this.clusterStatus = details.status;
    this.reason = details.reason;
    this.logTail = details.logTail;
  }
}

type Simple = new (message: string, status: number | null, code: string) => GatehouseError;

const BY_CODE: Readonly<Record<ErrorCode, Simple | 'invalid_option'>> = {
  bad_request: InvalidRequestError,
  unauthenticated: UnauthenticatedError,
  forbidden: ForbiddenError,
  not_granted: NotGrantedError,
  not_found: NotFoundError,
  method_not_allowed: InvalidRequestError,
  request_timeout: ServerError,
  conflict: ServerError,
  invalid: InvalidRequestError,
  invalid_option: 'invalid_option',
  quota_exceeded: QuotaExceededError,
  cluster_not_running: ClusterNotRunningError,
  payload_too_large: InvalidRequestError,
  header_too_large: InvalidRequestError,
  too_many_requests: ServerError,
  gateway_unavailable: ServerError,
  upstream_failure: ServerError,
  internal: ServerError,
};

function isKnownCode(code: string): code is ErrorCode {
  return Object.hasOwn(BY_CODE, code);
}

/** The class for a response without a known code (a proxy's page, an older server). */
function byStatus(status: number): Simple {
  if (status === 401) return UnauthenticatedError;
  if (status === 403) return ForbiddenError;
  if (status === 404) return NotFoundError;
  if (status === 409) return ClusterNotRunningError;
  if (status >= 500) return ServerError;
  return InvalidRequestError;
}

/**
 * The error for a failed response: the class of the body's `code`, else one chosen by the HTTP
 * status. `body` is the decoded JSON body, or `null` when it was not JSON.
 */
export function errorFromResponse(
  status: number,
  statusText: string,
  body: unknown
): GatehouseError {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const text = typeof record['error'] === 'string' ? record['error'] : '';
  const code = typeof record['code'] === 'string' ? record['code'] : '';
  const message = text !== '' ? text : `HTTP ${String(status)} ${statusText}`.trim();
  if (isKnownCode(code)) {
    const cls = BY_CODE[code];
    if (cls === 'invalid_option') {
      const field = typeof record['field'] === 'string' ? record['field'] : null;
      return new InvalidOptionsError(message, status, code, field);
    }
    return new cls(message, status, code);
  }
  return new (byStatus(status))(message, status, code === '' ? `http_${String(status)}` : code);
}
