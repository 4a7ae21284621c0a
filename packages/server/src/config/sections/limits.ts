/**
 * The `limits` section: caps on what clients may send and how long they may take.
 * @module
 */
import { Type, type Static } from 'typebox';
import { Seconds } from './primitives.js';

/** Caps on what clients may send, and how long they may take (issue 10). */
export const LimitsConfig = Type.Object(
  {
    max_body_bytes: Type.Integer({
      minimum: 1024,
      default: 1048576,
      description: 'Largest request body of the API routes (413 above it).',
    }),
    max_heartbeat_bytes: Type.Integer({
      minimum: 1024,
      default: 67108864,
      description:
        "Ceiling of a scheduler heartbeat body. Each cluster's own cap is lower: 64 KiB plus 256 bytes per worker the gateway ever created for it (a long-lived adaptive cluster's closed-worker list only grows, about 36 bytes per worker ever closed); 413 above it. The cluster token is checked before the body is read, and bodies over 256 KiB are parsed in a worker thread.",
    }),
    max_header_bytes: Type.Integer({
      minimum: 1024,
      default: 16384,
      description: 'Largest request head (request line and headers); 431 above it.',
    }),
    headers_timeout: Seconds(20, 'Seconds a client may take to send its request head.'),
    request_timeout: Seconds(
      120,
      'Seconds a client may take to send a whole request (head and body); 0 = no limit.'
    ),
    idle_timeout: Seconds(
      120,
      'Seconds an HTTP connection may stay silent; long polls, event streams and dashboard WebSockets are exempt. 0 = no limit.'
    ),
    keep_alive_timeout: Seconds(5, 'Seconds an idle keep-alive connection is kept open.'),
    tls_hello_timeout: Seconds(
      10,
      'Seconds a client may take to send its first bytes (the TLS ClientHello or the HTTP request line).'
    ),
    max_pending_handshakes: Type.Integer({
      minimum: 1,
      default: 1024,
      description:
        'Connections allowed to be waiting for their first bytes at once, from all sources together; past it, the oldest waiting connection of the source holding the most is closed.',
    }),
    max_pending_handshakes_per_source: Type.Integer({
      minimum: 1,
      default: 64,
      description:
        "Of max_pending_handshakes, how many one source address may hold; past it, that source's oldest waiting connection is closed, so idle connections held by one client starve neither other sources nor a prompt client of the same address.",
    }),
    user_requests_per_second: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], {
      default: null,
      description:
        'Sustained API requests per second one user may make (429 above it); null = unlimited. Cluster-token requests (heartbeats) are never throttled.',
    }),
    user_request_burst: Type.Integer({
      minimum: 1,
      default: 100,
      description: 'Requests a user may make at once before user_requests_per_second applies.',
    }),
    password_failures_burst: Type.Integer({
      minimum: 1,
      default: 5,
      description:
        'Wrong passwords one username may get from one source address (API Basic auth and the UI login together) before it is throttled: 429 with Retry-After, checked before the password. A success from that address resets it; other addresses are not affected. Tokens are never throttled.',
    }),
    password_failure_interval: Type.Number({
      exclusiveMinimum: 0,
      default: 30,
      description:
        'Once throttled, one more password attempt of that username from that address is allowed per this many seconds.',
    }),
  },
  { additionalProperties: false, default: {} }
);

/** Input limits. */
export type LimitsConfig = Static<typeof LimitsConfig>;
