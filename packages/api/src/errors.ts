/**
 * Error codes shared by the Gatehouse server and its clients.
 *
 * Every error the server answers with carries one of these codes next to the human-readable
 * `error` text that the Python client reads (it reads only `error`, so `request_id` is safe to add). Clients map codes (never message text) to
 * error classes. The HTTP status for each code is fixed by the server's single error mapper.
 * @module
 */
import { Type, type Static } from 'typebox';

/** Every error code Gatehouse can answer with. */
export const ERROR_CODES = [
  'bad_request',
  'unauthenticated',
  'forbidden',
  /** The user is authenticated but no admin granted them access (HTTP 403). */
  'not_granted',
  'not_found',
  'method_not_allowed',
  /** The request head or body did not arrive in time (HTTP 408). */
  'request_timeout',
  /** The cluster changed while the request was acted on; retrying reads it again (HTTP 409). */
  'conflict',
  'invalid',
  /** A cluster option failed validation; the body's `field` names it when known (HTTP 422). */
  'invalid_option',
  /** Creating a cluster would pass one of the user's quotas (HTTP 422). */
  'quota_exceeded',
  'cluster_not_running',
  'payload_too_large',
  'header_too_large',
  'too_many_requests',
  'upstream_failure',
  'gateway_unavailable',
  'internal',
] as const;

/** One error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** The JSON body of every error response: `error` is what the dask-gateway client shows. */
export const ErrorBody = Type.Object(
  {
    error: Type.String({
      description: 'Human-readable reason; the Python client shows this text.',
    }),
    code: Type.String({
      description:
        'Machine-readable error code, one of ERROR_CODES; docs/errors.md says when each is returned.',
    }),
    request_id: Type.Optional(
      Type.String({
        description:
          'The id of the request in the gateway log (also sent as the X-Request-Id header).',
      })
    ),
    field: Type.Optional(
      Type.String({ description: 'With `invalid_option`: the cluster option that failed.' })
    ),
  },
  { additionalProperties: false }
);

/** The JSON body of every error response. */
export type ErrorBody = Static<typeof ErrorBody>;
