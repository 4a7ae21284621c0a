/**
 * The configuration file schema.
 *
 * One TypeBox schema describes every key of the YAML config file, with its default and a
 * description; it validates the file, fills defaults and is published as JSON Schema in `docs/`.
 * Key names follow upstream dask-gateway (snake_case) so operators can carry settings over.
 * @module
 */
import { Type, type Static, type TObject } from 'typebox';
import { FAULT_POINT_NAMES, type FaultPoint } from '../faults/fault-points.js';
import { Cmd, Memory, NullableSeconds, Seconds } from './sections/primitives.js';

/** Settings of the Basic authenticator (spec §2.3). */
export const BasicAuthConfig = Type.Object(
  {
    type: Type.Literal('basic'),
    password: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: 'Shared password every user must send; null accepts any password.',
    }),
    users: Type.Record(Type.String(), Type.String({ pattern: '^scrypt:' }), {
      default: {},
      description:
        'Per-user password hashes (from `gatehouse hash-password`); when set, only these users may log in.',
    }),
    cookie_name: Type.Union([Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }), Type.Null()], {
      default: null,
      description: 'Session cookie name; null picks dask-gateway-<random hex> per process.',
    }),
    cache_max_age: Seconds(300, 'Seconds a session cookie stays valid without re-authentication.'),
  },
  { additionalProperties: false }
);

/** Settings of the JupyterHub authenticator (spec §2.4). */
export const JupyterHubAuthConfig = Type.Object(
  {
    type: Type.Literal('jupyterhub'),
    api_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
      default: null,
      description:
        "The hub's API URL, e.g. http://hub:8081/hub/api; null reads JUPYTERHUB_API_URL.",
    }),
    api_token: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description: "Gatehouse's own hub service token; null reads JUPYTERHUB_API_TOKEN.",
    }),
    service_name: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: 'Hub service name; null reads JUPYTERHUB_SERVICE_NAME (default empty).',
    }),
    use_service_access_scopes: Type.Union([Type.Boolean(), Type.Null()], {
      default: null,
      description:
        'Require the access:services scope for this service; null means true exactly when service_name is set.',
    }),
    admin_from_hub: Type.Boolean({
      default: true,
      description: 'Give the admin role to users the hub marks admin.',
    }),
    cookie_name: Type.Union([Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }), Type.Null()], {
      default: null,
      description: 'Session cookie name; null picks dask-gateway-<random hex> per process.',
    }),
    cache_max_age: Seconds(300, 'Seconds a session cookie stays valid without re-authentication.'),
    public_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
      default: null,
      description:
        "The hub's URL as browsers reach it, e.g. https://hub.example.org/hub (web UI login); null reads JUPYTERHUB_PUBLIC_HUB_URL, else api_url without its /api.",
    }),
    oauth_client_id: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description:
        "OAuth client id of Gatehouse's hub service, for the web UI's login through the hub; null reads JUPYTERHUB_CLIENT_ID, else service-<service_name> (no service name: no browser login).",
    }),
    oauth_callback_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
      default: null,
      description:
        "The OAuth redirect URI registered with the hub (<gateway URL>/api/ui/oauth/callback); null reads JUPYTERHUB_OAUTH_CALLBACK_URL, else is built from each login request's own address.",
    }),
  },
  { additionalProperties: false }
);

/** Slurm job settings that a profile may override (`profiles[].slurm`). */
export const SlurmJobConfig = Type.Object(
  {
    partition: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    account: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    qos: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
    time_limit: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
        description: "sbatch --time, e.g. '8:00:00'; null means the partition's default.",
      })
    ),
    extra_directives: Type.Optional(
      Type.Array(Type.String({ pattern: '^--' }), {
        description: "More sbatch options, each one '--name=value' (e.g. '--constraint=amd').",
      })
    ),
  },
  { additionalProperties: false }
);

/** Defaults of every cluster's configuration (upstream ClusterConfig, spec §8.2). */
export const ClusterDefaults = Type.Object(
  {
    scheduler_cmd: Type.Optional(Cmd),
    worker_cmd: Type.Optional(Cmd),
    environment: Type.Optional(Type.Record(Type.String(), Type.String())),
    worker_memory: Type.Optional(Memory),
    worker_cores: Type.Optional(Type.Integer({ minimum: 1 })),
    worker_threads: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    scheduler_memory: Type.Optional(Memory),
    scheduler_cores: Type.Optional(Type.Integer({ minimum: 1 })),
    adaptive_period: Type.Optional(Type.Number({ minimum: 0 })),
    idle_timeout: Type.Optional(Type.Number({ minimum: 0 })),
    cluster_max_memory: Type.Optional(Type.Union([Memory, Type.Null()])),
    cluster_max_cores: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
    cluster_max_workers: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
    max_lifetime: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], {
        description: 'Seconds after which a cluster is stopped (reason "lifetime"); null = never.',
      })
    ),
    no_client_timeout: Type.Optional(
      Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()], {
        description:
          'Seconds a running cluster may have no client connected before it is stopped (reason "no client"); null = never.',
      })
    ),
  },
  { additionalProperties: false, default: {} }
);

const Label = Type.Optional(Type.String());
const Target = Type.Optional(Type.String({ minLength: 1 }));
const Field = Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' });
const NumberBound = Type.Optional(Type.Union([Type.Number(), Type.Null()]));

/** One user-facing cluster option (spec §4.1). */
export const OptionFieldConfig = Type.Union([
  Type.Object(
    {
      type: Type.Literal('int'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.Integer()),
      min: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
      max: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
    },
    { additionalProperties: false }
  ),
  Type.Object(
    {
      type: Type.Literal('float'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.Number()),
      min: NumberBound,
      max: NumberBound,
    },
    { additionalProperties: false }
  ),
  Type.Object(
    {
      type: Type.Literal('string'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.String()),
    },
    { additionalProperties: false }
  ),
  Type.Object(
    {
      type: Type.Literal('bool'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false }
  ),
  Type.Object(
    {
      type: Type.Literal('select'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.String()),
      apply: Type.Optional(
        Type.Literal('merge', {
          description: "'merge': the chosen value is an object of cluster settings merged in.",
        })
      ),
      options: Type.Array(
        Type.Union([
          Type.String(),
          Type.Object(
            { key: Type.String(), value: Type.Optional(Type.Unknown()) },
            { additionalProperties: false }
          ),
        ]),
        { minItems: 1 }
      ),
    },
    { additionalProperties: false }
  ),
  Type.Object(
    {
      type: Type.Literal('mapping'),
      field: Field,
      label: Label,
      target: Target,
      default: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    },
    { additionalProperties: false }
  ),
]);

const QuotaValue = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);

/** Limits on what one user may hold at once (null = unlimited). */
export const QuotaConfig = Type.Object(
  {
    max_clusters: Type.Optional(QuotaValue),
    max_workers: Type.Optional(QuotaValue),
    max_cores: Type.Optional(Type.Union([Type.Number({ minimum: 0 }), Type.Null()])),
    max_memory: Type.Optional(Type.Union([Memory, Type.Null()])),
  },
  { additionalProperties: false }
);

/** Who may use the gateway and who administers it. */
export const AccessConfig = Type.Object(
  {
    grant_all_authenticated: Type.Boolean({
      default: false,
      description:
        'Let every authenticated user in. False (the default) means only users an admin granted, or members of grant_groups.',
    }),
    grant_groups: Type.Array(Type.String(), {
      default: [],
      description: 'Groups whose members may use the gateway without an individual grant.',
    }),
    admin_users: Type.Array(Type.String(), {
      default: [],
      description: 'Users with the admin role.',
    }),
    admin_groups: Type.Array(Type.String(), {
      default: [],
      description: 'Groups whose members have the admin role.',
    }),
    unsafe_shared_password_admins: Type.Boolean({
      default: false,
      description:
        'Accept admin_users with one shared auth.password (anyone who knows it can be an admin); refused otherwise.',
    }),
    contact: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: 'How to reach an admin, added to the not-granted message (e.g. a chat channel).',
    }),
    bootstrap_admin_token: Type.Boolean({
      default: true,
      description:
        'At first start (no API token stored yet), issue an admin API token: written to <data_dir>/bootstrap-admin-token (0600), or printed once by the embedded default on a terminal.',
    }),
  },
  { additionalProperties: false, default: {} }
);

/** Per-user limits: a default, per-group values and per-user overrides. */
export const QuotasConfig = Type.Object(
  {
    default: Type.Intersect([QuotaConfig], { default: {} }),
    groups: Type.Record(Type.String(), QuotaConfig, { default: {} }),
    users: Type.Record(Type.String(), QuotaConfig, { default: {} }),
  },
  { additionalProperties: false, default: {} }
);

/** One kind of machine in the shared worker pool. */
export const MachineTypeConfig = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    cores: Type.Number({ exclusiveMinimum: 0 }),
    memory: Memory,
    count: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false }
);

/** The shared pool of worker machines everyone's workers are packed onto. */
export const PoolConfig = Type.Object(
  {
    machine_types: Type.Array(MachineTypeConfig, {
      default: [{ name: 'standard', cores: 4, memory: '16 G', count: 10 }],
      description: 'Machines workers are packed onto (per user: a machine hosts one user).',
    }),
    schedulers_take_room: Type.Boolean({
      default: false,
      description: 'Whether schedulers are packed onto pool machines too.',
    }),
    user_machine_cap: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], {
      default: null,
      description: 'Most machines one user may occupy at once; null = no cap beyond the pool.',
    }),
  },
  { additionalProperties: false, default: {} }
);

const Groups = Type.Array(Type.String(), {
  default: [],
  description: 'Groups that may see and choose this; empty means everyone.',
});

/** One Python environment users may pick (the `conda_environment` option). */
export const EnvironmentConfig = Type.Object(
  {
    name: Type.String({ minLength: 1, description: 'The choice users see.' }),
    prefix: Type.String({ minLength: 1, description: 'Environment prefix (venv or conda env).' }),
    groups: Groups,
  },
  { additionalProperties: false }
);

/** Python environments offered as the `conda_environment` option ("Environment"). */
export const EnvironmentsConfig = Type.Object(
  {
    list: Type.Array(EnvironmentConfig, { default: [] }),
    discover: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description:
        'A directory whose subdirectories with bin/python are offered too (named after the subdirectory).',
    }),
    default: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: 'Name of the default environment; null means the first one a user may see.',
    }),
  },
  { additionalProperties: false, default: {} }
);

/** One worker size users may pick (the `profile` option, "Cluster Profile"). */
export const ProfileConfig = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    worker_cores: Type.Integer({ minimum: 1 }),
    worker_threads: Type.Optional(Type.Union([Type.Integer({ minimum: 1 }), Type.Null()])),
    worker_memory: Memory,
    scheduler_cores: Type.Optional(Type.Integer({ minimum: 1 })),
    scheduler_memory: Type.Optional(Memory),
    idle_timeout: Type.Optional(Type.Number({ minimum: 0 })),
    max_lifetime: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()])),
    slurm: Type.Optional(SlurmJobConfig),
    default: Type.Boolean({ default: false, description: 'Marks the default profile.' }),
    groups: Groups,
  },
  { additionalProperties: false }
);

/** Rules for the `environment_vars` option ("Environment Variables"). */
export const EnvironmentVariablesConfig = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'Offer the environment_vars option (a mapping of names to strings).',
    }),
    max_count: Type.Integer({ minimum: 0, default: 64 }),
    max_value_length: Type.Integer({ minimum: 0, default: 4096 }),
    reserved: Type.Array(Type.String(), {
      default: [],
      description:
        'Names users may not set, besides those the gateway sets itself (DASK_GATEWAY_*, the TLS and comm settings).',
    }),
    admin: Type.Record(Type.String(), Type.String(), {
      default: {},
      description: 'Variables every cluster gets; they win over user values.',
    }),
  },
  { additionalProperties: false, default: {} }
);

/** Where the public port's proxy runs: inside the gateway, or as `gatehouse proxy`. */
export const ProxyConfig = Type.Object(
  {
    mode: Type.Union([Type.Literal('inprocess'), Type.Literal('external')], {
      default: 'inprocess',
      description:
        "'inprocess': the gateway serves the public port itself. 'external': `gatehouse proxy` owns the public port (listen) and holds client connections and dashboard routes while the gateway restarts; the gateway serves its API on api_listen and keeps the proxy's routes in sync through its control API.",
    }),
    api_listen: Type.String({
      default: '127.0.0.1:8081',
      description:
        'With mode external: the private host:port where the gateway serves its API (without the prefix); the proxy forwards API requests there.',
    }),
    gateway_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
      default: null,
      description: 'URL the proxy forwards API requests to; null means http://<api_listen>.',
    }),
    control_listen: Type.String({
      default: '127.0.0.1:8001',
      description: 'Where `gatehouse proxy` serves its control API (keep it private).',
    }),
    control_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
      default: null,
      description:
        'URL the gateway reaches the control API at; null means http://<control_listen>.',
    }),
    token: Type.Union([Type.String({ minLength: 16 }), Type.Null()], {
      default: null,
      description:
        'Shared secret of the control API (a bearer token, at least 16 characters); null reads token_file, else GATEHOUSE_PROXY_TOKEN. Required by mode external and `gatehouse proxy`.',
    }),
    token_file: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: 'File holding the control API token (surrounding whitespace ignored).',
    }),
    sync_period: Type.Number({
      exclusiveMinimum: 0,
      default: 10,
      description:
        "Seconds between the gateway's route resynchronisations and client-count polls with an external proxy.",
    }),
    start_timeout: Seconds(30, 'Seconds a starting gateway waits for the external proxy.'),
    dashboard_domain: Type.Union(
      [
        Type.String({
          pattern:
            '^(?=.{1,200}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$',
        }),
        Type.Null(),
      ],
      {
        default: null,
        description:
          "Domain under which each cluster's dashboard gets a host of its own, <cluster>.<domain> (needs a wildcard DNS name and, over HTTPS, a wildcard certificate), so that no dashboard runs in the gateway's origin. null: <cluster>.dashboards.localhost for browsers that reach the gateway at a loopback address (browsers resolve *.localhost to loopback); browsers reaching it by any other name are refused dashboards (scripts with credentials still fetch them) until this is set.",
      }
    ),
  },
  { additionalProperties: false, default: {} }
);

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

/** Who may scrape `/api/metrics`. */
export const MetricsConfig = Type.Object(
  {
    token: Type.Union([Type.String({ minLength: 16 }), Type.Null()], {
      default: null,
      description:
        'A bearer token Prometheus may scrape /api/metrics with (admins may always read it); null = admins only.',
    }),
  },
  { additionalProperties: false, default: {} }
);

/** Settings only the test suites use; never set them in production. */
export const TestingConfig = Type.Object(
  {
    crash_at: Type.Unsafe<FaultPoint | null>(
      Type.Union([...FAULT_POINT_NAMES.map((p) => Type.Literal(p)), Type.Null()], {
        default: null,
        description:
          'Test only: the fault point (docs/faults.md) at which the gateway SIGKILLs itself the first time it is reached; null disarms.',
      })
    ),
  },
  { additionalProperties: false, default: {} }
);

/** The configuration file without its `backend:` section (which each backend module owns). */
const GatewayConfigBase = Type.Object(
  {
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
    log: Type.Object(
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
    ),
    logs: Type.Object(
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
    ),
    store: Type.Object(
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
    ),
    auth: Type.Union([BasicAuthConfig, JupyterHubAuthConfig], { default: { type: 'basic' } }),
    cluster: ClusterDefaults,
    environments: EnvironmentsConfig,
    profiles: Type.Array(ProfileConfig, {
      default: [],
      description:
        'Worker sizes offered as the profile option; the one marked default (else the first) is the default.',
    }),
    environment_variables: EnvironmentVariablesConfig,
    access: AccessConfig,
    quotas: QuotasConfig,
    pool: PoolConfig,
    testing: TestingConfig,
    proxy: ProxyConfig,
    options: Type.Array(OptionFieldConfig, {
      default: [],
      description: 'Cluster options users can set (spec §4); empty exposes none.',
    }),
    limits: LimitsConfig,
    metrics: MetricsConfig,
  },
  { additionalProperties: false }
);

/** The backend types a configuration may name: each one's section schema, and the default. */
export interface BackendSchemas {
  /** One schema per backend type, each with a `type` literal. */
  readonly schemas: readonly TObject[];
  /** The type of a `backend:` section that names none. */
  readonly defaultType: string;
}

/** The whole configuration file, its `backend:` section one of `backends`. */
export function gatewayConfigSchema(backends: BackendSchemas) {
  const backend = Type.Union([...backends.schemas], { default: { type: backends.defaultType } });
  // The key order the file documents: `backend` right after `auth`.
  const properties = Object.fromEntries(
    Object.entries(GatewayConfigBase.properties).flatMap(([k, v]) =>
      k === 'auth'
        ? [
            [k, v],
            ['backend', backend],
          ]
        : [[k, v]]
    )
  ) as typeof GatewayConfigBase.properties & { backend: typeof backend };
  return Type.Object(properties, { additionalProperties: false });
}

/** The configuration after defaults are filled, before paths are resolved. */
export type GatewayConfigInput = Static<ReturnType<typeof gatewayConfigSchema>>;
/** One cluster option definition. */
export type OptionFieldConfig = Static<typeof OptionFieldConfig>;
/** Slurm job settings of a profile. */
export type SlurmJobConfig = Static<typeof SlurmJobConfig>;
/** Settings of the Basic authenticator. */
export type BasicAuthConfig = Static<typeof BasicAuthConfig>;
/** Settings of the JupyterHub authenticator, as written in the file. */
export type JupyterHubAuthConfig = Static<typeof JupyterHubAuthConfig>;
/** Environment settings as written in the file. */
export type EnvironmentsConfig = Static<typeof EnvironmentsConfig>;
/** One profile as written in the file. */
export type ProfileConfig = Static<typeof ProfileConfig>;
/** Environment-variable rules as written in the file. */
export type EnvironmentVariablesConfig = Static<typeof EnvironmentVariablesConfig>;
/** Access settings. */
export type AccessConfig = Static<typeof AccessConfig>;
/** One user's or group's quota as written in the file. */
export type QuotaConfig = Static<typeof QuotaConfig>;
/** Pool settings as written in the file. */
export type PoolConfig = Static<typeof PoolConfig>;
/** Input limits. */
export type LimitsConfig = Static<typeof LimitsConfig>;
/** Metrics settings. */
export type MetricsConfig = Static<typeof MetricsConfig>;
