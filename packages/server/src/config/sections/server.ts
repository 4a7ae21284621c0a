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

/** The sealing keys of secrets at rest, the same keys for either store. */
const SealingKeys = {
  encryption_keys: Type.Array(Type.String(), {
    default: [],
    description:
      'Base64 32-byte keys sealing secrets at rest (the first seals, every one opens); empty means encryption_key_file, else GATEHOUSE_ENCRYPTION_KEYS, else (SQLite only) a key file made beside the database.',
  }),
  encryption_key_file: Type.Union([Type.String(), Type.Null()], {
    default: null,
    description:
      'A file (mode 0600) holding the sealing keys as base64, one a line (the first seals). Required with PostgreSQL unless encryption_keys or GATEHOUSE_ENCRYPTION_KEYS is set: every replica must use the same key.',
  }),
};

/** The embedded store: one SQLite file. */
export const SqliteStoreConfig = Type.Object(
  {
    type: Type.Literal('sqlite'),
    path: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: "The database file, or ':memory:'; null means <data_dir>/gatehouse.db.",
    }),
    url: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: "Older spelling of path: 'sqlite:<path>' or 'sqlite::memory:'.",
    }),
    ...SealingKeys,
  },
  { additionalProperties: false }
);

/** A PostgreSQL database shared by every gateway process of an installation. */
export const PostgresStoreConfig = Type.Object(
  {
    type: Type.Literal('postgres'),
    url: Type.String({
      description:
        'postgresql://user[:password]@host[:port]/database[?sslmode=…]; better without the password (see password_file). Never logged with its password.',
    }),
    password_file: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: "A file holding the database user's password (overrides one in url).",
    }),
    pool_size: Type.Integer({
      minimum: 1,
      default: 10,
      description: 'Connections each gateway process keeps open at most.',
    }),
    lease_seconds: Type.Number({
      minimum: 0.5,
      maximum: 3600,
      default: 15,
      description:
        "Period of the leader lease: of the gateway processes sharing this database, the one holding the lease runs the reconciler, sweeps, orphan scans and route sync; it renews every third of the period, and another takes over (one epoch on, fencing the old leader's writes) when it has not renewed for a whole period, measured on the database's clock.",
    }),
    ...SealingKeys,
  },
  { additionalProperties: false }
);

/** Where cluster records and secrets are kept: SQLite (the default) or PostgreSQL, by `type`. */
export const StoreConfig = Type.Union([SqliteStoreConfig, PostgresStoreConfig], {
  default: { type: 'sqlite' },
  description:
    "The database. type 'sqlite' (default; a type is implied from a url starting postgres:// or postgresql://) or 'postgres'.",
});
