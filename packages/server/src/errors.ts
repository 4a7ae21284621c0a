/**
 * Domain errors of the gateway.
 *
 * Modules throw `GatewayError` with a code from `@gatehouse/api`; they never choose HTTP status
 * codes. The only translation to HTTP lives in `api/error-handler.ts`.
 * @module
 */
import type { ErrorCode } from '@gatehouse/api';

/** An error with a machine-readable code and a message a user can act on. */
export class GatewayError extends Error {
  /** What kind of failure this is; decides the HTTP status. */
  readonly code: ErrorCode;
  /** Extra response headers (for example an authentication challenge). */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * A short ASCII reason phrase for the HTTP status line. The Python client shows only the
   * reason phrase for some statuses (e.g. 403), so a message users must read goes here too.
   */
  readonly statusText: string | undefined;
  /** With `invalid_option`: the cluster option that failed, sent as the body's `field`. */
  readonly field: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      cause?: unknown;
      headers?: Record<string, string>;
      statusText?: string;
      field?: string;
    } = {}
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.headers = Object.freeze({ ...(options.headers ?? {}) });
    this.statusText = options.statusText;
    this.field = options.field;
  }
}

/** A request or option value failed validation (the Python client raises `ValueError`). */
export function invalid(message: string): GatewayError {
  return new GatewayError('invalid', message);
}

/**
 * A submitted cluster option failed validation (422, the Python client raises `ValueError`);
 * `field` names the option when one is to blame.
 */
export function invalidOption(message: string, field?: string): GatewayError {
  return new GatewayError('invalid_option', message, field === undefined ? {} : { field });
}

/** The named thing does not exist. */
export function notFound(message: string): GatewayError {
  return new GatewayError('not_found', message);
}

/** The caller is known but may not do this. */
export function forbidden(message: string): GatewayError {
  return new GatewayError('forbidden', message);
}
