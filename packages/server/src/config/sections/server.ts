/**
 * The server sections: where the gateway listens, its data directory, its own log, the kept
 * scheduler and worker logs, and the store.
 * @module
 */
import { Type } from 'typebox';
import { NullableSeconds, Seconds } from './primitives.js';

/** Top-level keys: addresses, the route prefix, the data directory and shutdown behaviour. */
export const ServerKeys = {
  listen: Type.String({
    default: '127.0.0.1:8000',
    description: 'Public host:port carrying the HTTP API, dashboards and scheduler TLS.',
  }),
  public_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
    default: null,
    description: 'Browser-facing base URL; null means http://<listen>.',
  }),
  api_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
    default: null,
    description: 'URL schedulers use to reach the API; null means http://<listen><prefix>/api.',
  }),
  prefix: Type.String({
    default: '',
    pattern: '^(/[^/]+)*$',
    description: 'Path prefix of every HTTP route, e.g. /gateway.',
  }),
  data_dir: Type.String({
    default: '.gatehouse',
    description: 'Directory for the database, its key, logs and cluster working directories.',
  }),
  stop_clusters_on_shutdown: Type.Union([Type.Boolean(), Type.Null()], {
    default: null,
    description:
      'Stop every cluster when the gateway stops; null means false with a file store (restarted gateways re-adopt clusters) and true in memory.',
  }),
};

/** The gateway's own log: level and format. */
export const LogConfig = Type.Object(
  {
    level: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace'].map((l) => Type.Literal(l)),
      { default: 'info' }
    ),
    format: Type.Union([Type.Literal('auto'), Type.Literal('json'), Type.Literal('pretty')], {
      default: 'auto',
      description: "'auto': pretty when standard output is a terminal, else JSON lines.",
    }),
  },
  { additionalProperties: false, default: {} }
);

/** Scheduler and worker output kept per cluster. */
export const LogsConfig = Type.Object(
  {
    max_bytes: Type.Integer({
      minimum: 1024,
      default: 10 * 1024 * 1024,
      description:
        'Size in bytes above which a scheduler or worker log is rotated (checked every rotate_period).',
    }),
    keep: Type.Integer({
      minimum: 0,
      default: 3,
      description: 'Rotated copies kept per process (<file>.1 is the newest).',
    }),
    rotate_period: Seconds(10, 'Period of the log size check; 0 turns rotation off.'),
    retention: NullableSeconds(
      'Seconds the logs of a finished cluster are kept; null means as long as its record (backend.cluster_max_age).'
    ),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'Scheduler and worker output kept per cluster, outside its working directory.',
  }
);

/** Where cluster records and secrets are kept. */
export const StoreConfig = Type.Object(
  {
    url: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description:
        "'sqlite:<path>' or 'sqlite::memory:'; null means sqlite:<data_dir>/gatehouse.db.",
    }),
    encryption_keys: Type.Array(Type.String(), {
      default: [],
      description:
        'Base64 32-byte keys for secrets at rest (first encrypts); empty means a key file kept beside the database.',
    }),
  },
  { additionalProperties: false, default: {} }
);
