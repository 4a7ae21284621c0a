/**
 * Domain errors of the gateway.
 *
 * Modules throw `GatewayError` with a code from `@gatehouse/api`; they never choose HTTP status
 * codes. The only translation to HTTP lives in `api/error-handler.ts` (statuses and bodies in
 * `errors-http.ts`). A refusal says who was refused what (`Refusal`); the error handler records
 * it once: the refusal metric, the audit entry and the `request.refused` event.
 * @module
 */
import type { ErrorCode } from '@gatehouse/api';

/**
 * Labels of `gatehouse_refusals_total` a refusal may choose instead of its code's own (a subset
 * of the metric's reasons; api/refusals.ts passes them on).
 */
export type RefusalMetric = 'not_granted' | 'not_admin' | 'quota';

/** Who was refused what, and how the refusal is recorded. */
export interface Refusal {
  /** Who was refused (a user name). */
  readonly user: string;
  /** What they asked for, as the audit log and the event's message name it. */
  readonly action: string;
  /** The cluster asked about (the event is that cluster's, its owner's), or null. */
  readonly cluster?: { readonly name: string; readonly owner: string } | null;
  /** Why, in a few words (the event's and audit entry's reason). */
  readonly reason: string;
  /** More of the event's data (`action` here overrides the event's action). */
  readonly data?: Readonly<Record<string, unknown>>;
  /** The label of `gatehouse_refusals_total` (default: the one of the error's code, if any). */
  readonly metric?: RefusalMetric;
  /** Whether the refusal goes to the audit log. @default false */
  readonly audit?: boolean;
  /** Whether the refusal is recorded as a `request.refused` event. @default true */
  readonly event?: boolean;
}

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
  /** Who was refused what, for the error handler to record once; undefined: not recorded. */
  readonly refusal: Refusal | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      cause?: unknown;
      headers?: Record<string, string>;
      statusText?: string;
      field?: string;
      refusal?: Refusal;
    } = {}
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.headers = Object.freeze({ ...(options.headers ?? {}) });
    this.statusText = options.statusText;
    this.field = options.field;
    this.refusal = options.refusal;
  }
}

/** `err` carrying `refusal` when it is a GatewayError (anything else is left as it is). */
export function withRefusal(err: unknown, refusal: Refusal): unknown {
  if (!(err instanceof GatewayError)) return err;
  return new GatewayError(err.code, err.message, {
    headers: { ...err.headers },
    refusal,
    ...(err.cause === undefined ? {} : { cause: err.cause }),
    ...(err.statusText === undefined ? {} : { statusText: err.statusText }),
    ...(err.field === undefined ? {} : { field: err.field }),
  });
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
