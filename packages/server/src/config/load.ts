/**
 * Loads the configuration: YAML file → defaults → validation → resolved paths → frozen object.
 *
 * This is the only module that reads environment variables; everything else receives the
 * frozen `GatewayConfig` it returns.
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import Value from 'typebox/value';
import {
  gatewayConfigSchema,
  type GatewayConfigInput,
  type BasicAuthConfig,
  type JupyterHubAuthConfig,
  type OptionFieldConfig,
} from './schema.js';
import { schemaErrors } from './schema-errors.js';
import { checkFieldDefinitions } from '../cluster-options/fields.js';
import { sharedPasswordAdminProblems } from './admin-password.js';
import type { LifecycleSettings } from './sections/lifecycle.js';
import type { BackendConfigPaths, ResolvedBackendConfig } from '../backends/backend-module.js';
import { builtinBackends, type BackendRegistry } from '../backends/registry.js';

/** A config file that cannot be used; `problems` holds one line per offending key. */
export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(source: string, problems: readonly string[]) {
    super(`invalid configuration in ${source}:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** A host and port to listen on. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Timing of the reconciler, with derived values filled in (all in seconds). */
export interface ResolvedTiming {
  readonly heartbeatPeriod: number;
  readonly heartbeatTimeout: number;
  readonly clusterStartTimeout: number;
  readonly workerStartTimeout: number;
  readonly checkTimeoutsPeriod: number;
  readonly clusterStatusPeriod: number;
  readonly workerStatusPeriod: number;
  readonly workerStartFailureLimit: number;
  readonly schedulerApiRetries: number;
  readonly parallelism: number;
  readonly dbCleanupPeriod: number;
  readonly clusterMaxAge: number;
  readonly orphanScanPeriod: number;
}

/** JupyterHub settings with the environment's values filled in. */
export interface ResolvedJupyterHubAuth {
  readonly type: 'jupyterhub';
  readonly api_url: string;
  readonly api_token: string;
  readonly service_name: string;
  readonly use_service_access_scopes: boolean;
  readonly admin_from_hub: boolean;
  readonly cookie_name: string | null;
  readonly cache_max_age: number;
  /** The hub's browser-facing URL (no trailing slash). */
  readonly public_url: string;
  /** The OAuth client id for browser login, or null when browser login is off. */
  readonly oauth_client_id: string | null;
  /** The registered redirect URI, or null to build it from each request's address. */
  readonly oauth_callback_url: string | null;
}

/** `v` unless it is missing or empty. */
const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);

function resolveAuth(
  auth: BasicAuthConfig | JupyterHubAuthConfig,
  env: Readonly<Record<string, string | undefined>>,
  source: string
): BasicAuthConfig | ResolvedJupyterHubAuth {
  if (auth.type === 'basic') return auth;
  const apiUrl = auth.api_url ?? env['JUPYTERHUB_API_URL'];
  const apiToken = auth.api_token ?? env['JUPYTERHUB_API_TOKEN'];
  const problems: string[] = [];
  if (apiUrl === undefined || apiUrl === '') {
    problems.push('auth.api_url: required for JupyterHub (or set JUPYTERHUB_API_URL)');
  }
  if (apiToken === undefined || apiToken === '') {
    problems.push('auth.api_token: required for JupyterHub (or set JUPYTERHUB_API_TOKEN)');
  }
  if (problems.length > 0 || apiUrl === undefined || apiToken === undefined) {
    throw new ConfigError(source, problems);
  }
  const serviceName = auth.service_name ?? env['JUPYTERHUB_SERVICE_NAME'] ?? '';
  const api = apiUrl.replace(/\/+$/, '');
  const publicUrl = auth.public_url ?? nonEmpty(env['JUPYTERHUB_PUBLIC_HUB_URL']);
  const clientId =
    auth.oauth_client_id ??
    nonEmpty(env['JUPYTERHUB_CLIENT_ID']) ??
    (serviceName === '' ? null : `service-${serviceName}`);
  return {
    type: 'jupyterhub',
    api_url: api,
    api_token: apiToken,
    service_name: serviceName,
    use_service_access_scopes: auth.use_service_access_scopes ?? serviceName !== '',
    admin_from_hub: auth.admin_from_hub,
    cookie_name: auth.cookie_name,
    cache_max_age: auth.cache_max_age,
    public_url: (publicUrl ?? api.replace(/\/api$/, '')).replace(/\/+$/, ''),
    oauth_client_id: clientId,
    oauth_callback_url:
      auth.oauth_callback_url ?? nonEmpty(env['JUPYTERHUB_OAUTH_CALLBACK_URL']) ?? null,
  };
}

/** Proxy settings with addresses parsed and the token read. */
export interface ResolvedProxy {
  readonly mode: 'inprocess' | 'external';
  /** Private address of the gateway's API with an external proxy. */
  readonly apiListen: ListenAddress;
  /** Where the external proxy forwards API requests. */
  readonly gatewayUrl: string;
  readonly controlListen: ListenAddress;
  readonly controlUrl: string;
  /** The control API's token; null when none is configured (then mode is inprocess). */
  readonly token: string | null;
  readonly syncPeriod: number;
  readonly startTimeout: number;
  /** Domain of the per-cluster dashboard hosts; null for automatic `dashboards.localhost`. */
  readonly dashboardDomain: string | null;
}

function hostPort(a: ListenAddress): string {
  const host = a.host === '0.0.0.0' || a.host === '::' ? '127.0.0.1' : a.host;
  return `${host.includes(':') ? `[${host}]` : host}:${String(a.port)}`;
}

function resolveProxy(
  p: GatewayConfigInput['proxy'],
  env: Readonly<Record<string, string | undefined>>,
  base: string,
  source: string
): ResolvedProxy {
  const problems: string[] = [];
  let token = p.token;
  if (token === null && p.token_file !== null) {
    const file = path.resolve(base, p.token_file);
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (err) {
      problems.push(
        `proxy.token_file: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`
      );
    }
  }
  token ??= env['GATEHOUSE_PROXY_TOKEN'] ?? null;
  if (token !== null && token.length < 16) {
    problems.push('proxy.token: must have at least 16 characters');
  }
  if (p.mode === 'external' && token === null && problems.length === 0) {
    problems.push(
      'proxy.token: mode external needs the control API token (proxy.token, proxy.token_file or GATEHOUSE_PROXY_TOKEN)'
    );
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  const apiListen = parseListen(p.api_listen, 'proxy.api_listen', source);
  const controlListen = parseListen(p.control_listen, 'proxy.control_listen', source);
  return {
    mode: p.mode,
    apiListen,
    gatewayUrl: (p.gateway_url ?? `http://${hostPort(apiListen)}`).replace(/\/+$/, ''),
    controlListen,
    controlUrl: (p.control_url ?? `http://${hostPort(controlListen)}`).replace(/\/+$/, ''),
    token,
    syncPeriod: p.sync_period,
    startTimeout: p.start_timeout,
    dashboardDomain: p.dashboard_domain?.toLowerCase() ?? null,
  };
}

/** Rotation and retention of scheduler and worker logs (seconds, bytes). */
export interface ResolvedLogs {
  readonly maxBytes: number;
  readonly keep: number;
  readonly rotatePeriod: number;
  /** Seconds a finished cluster's logs are kept. */
  readonly retention: number;
}

/** The validated, resolved and frozen gateway configuration. */
export interface GatewayConfig {
  /** Where the configuration came from (a file path or "defaults"). */
  readonly source: string;
  readonly listen: ListenAddress;
  readonly publicUrl: string | null;
  readonly apiUrl: string | null;
  readonly prefix: string;
  readonly dataDir: string;
  readonly stopClustersOnShutdown: boolean;
  readonly log: GatewayConfigInput['log'];
  /** SQLite database file path, or ':memory:'. */
  readonly storePath: string;
  /** Rotation and retention of scheduler and worker logs. */
  readonly logs: ResolvedLogs;
  /** Base64 keys from the config; empty means a key file beside the database. */
  readonly encryptionKeys: readonly string[];
  readonly auth: BasicAuthConfig | ResolvedJupyterHubAuth;
  /** The resolved `backend:` section, as its module made it (see backends/registry.ts). */
  readonly backend: ResolvedBackendConfig;
  readonly timing: ResolvedTiming;
  readonly cluster: GatewayConfigInput['cluster'];
  readonly environments: GatewayConfigInput['environments'];
  readonly profiles: GatewayConfigInput['profiles'];
  readonly environmentVariables: GatewayConfigInput['environment_variables'];
  readonly access: GatewayConfigInput['access'];
  readonly quotas: GatewayConfigInput['quotas'];
  readonly pool: GatewayConfigInput['pool'];
  readonly proxy: ResolvedProxy;
  readonly options: readonly OptionFieldConfig[];
  readonly limits: GatewayConfigInput['limits'];
  readonly metrics: GatewayConfigInput['metrics'];
  /** Test-only settings (fault points). */
  readonly testing: GatewayConfigInput['testing'];
}

/**
 * What `gatehouse serve` runs without a config file: every authenticated user is let in (the
 * first user goes straight through the seed workflow), at most 3 active clusters per user, and
 * an admin API token printed once at first start. Production settings are default-deny.
 */
export const EMBEDDED_DEFAULTS = Object.freeze({
  access: { grant_all_authenticated: true },
  quotas: { default: { max_clusters: 3 } },
  // The seed's choices: the project environment, two worker sizes, environment variables.
  profiles: [
    { name: 'Small Worker', worker_cores: 2, worker_memory: '8 G', default: true },
    { name: 'Medium Worker', worker_cores: 4, worker_memory: '16 G' },
  ],
  environment_variables: { enabled: true },
});

/** What the loader needs from its surroundings. */
export interface LoadOptions {
  /** Path of a YAML config file; undefined uses the embedded defaults. */
  readonly file?: string | undefined;
  /** Already-parsed settings to use instead of a file (tests, embedding). */
  readonly values?: unknown;
  /** Process environment (read only here). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against when no file is given. */
  readonly cwd?: string;
  /** Python environment used when the config names none (the project's own). */
  readonly defaultPythonEnv: string;
  /** Listen address from the command line, overriding the file. */
  readonly listen?: string | undefined;
  /** The backend types the file may name; the ones this release ships when absent. */
  readonly backends?: BackendRegistry;
}

/** Parses `host:port` (port 0 allowed); throws a message naming the key on error. */
export function parseListen(value: string, key = 'listen', source = key): ListenAddress {
  const m = /^(.*):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    throw new ConfigError(source, [`${key}: expected host:port, got ${JSON.stringify(value)}`]);
  }
  const host = (m[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function readSource(opts: LoadOptions): { raw: unknown; source: string; base: string } {
  const cwd = opts.cwd ?? process.cwd();
  if (opts.values !== undefined) return { raw: opts.values, source: 'values', base: cwd };
  if (opts.file === undefined) {
    const raw = {
      ...structuredClone(EMBEDDED_DEFAULTS),
      environments: { list: [{ name: 'gatehouse', prefix: opts.defaultPythonEnv }] },
    };
    return { raw, source: 'embedded defaults', base: cwd };
  }
  const file = path.resolve(cwd, opts.file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(file, [`cannot read the config file: ${reason}`]);
  }
  try {
    const raw: unknown = parseYaml(text);
    return { raw: raw ?? {}, source: file, base: path.dirname(file) };
  } catch (err) {
    if (err instanceof YAMLParseError) throw new ConfigError(file, [`YAML syntax: ${err.message}`]);
    throw err;
  }
}

function resolveTiming(b: LifecycleSettings): ResolvedTiming {
  const heartbeatTimeout = b.heartbeat_timeout ?? 2 * b.heartbeat_period;
  const smallest = Math.min(heartbeatTimeout, b.cluster_start_timeout, b.worker_start_timeout);
  return {
    heartbeatPeriod: b.heartbeat_period,
    heartbeatTimeout,
    clusterStartTimeout: b.cluster_start_timeout,
    workerStartTimeout: b.worker_start_timeout,
    checkTimeoutsPeriod: b.check_timeouts_period ?? Math.max(0.05, Math.min(20, smallest / 2)),
    clusterStatusPeriod: b.cluster_status_period,
    workerStatusPeriod: b.worker_status_period,
    workerStartFailureLimit: b.worker_start_failure_limit,
    schedulerApiRetries: b.scheduler_api_retries,
    parallelism: b.parallelism,
    dbCleanupPeriod: b.db_cleanup_period,
    clusterMaxAge: b.cluster_max_age,
    orphanScanPeriod: b.orphan_scan_period,
  };
}

function resolveStorePath(
  url: string | null,
  dataDir: string,
  base: string,
  source: string
): string {
  if (url === null) return path.join(dataDir, 'gatehouse.db');
  if (url === 'sqlite::memory:') return ':memory:';
  if (url.startsWith('sqlite:')) return path.resolve(base, url.slice('sqlite:'.length));
  throw new ConfigError(source, [
    `store.url: unsupported store ${JSON.stringify(url)}; use 'sqlite:<path>' or 'sqlite::memory:'`,
  ]);
}

/** Names that repeat in a list. */
function repeated(names: readonly string[]): string[] {
  return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
}

/** Problems with environments, profiles and option names that the schema cannot express. */
function choiceProblems(c: GatewayConfigInput): string[] {
  const out: string[] = [];
  for (const n of repeated(c.environments.list.map((e) => e.name))) {
    out.push(`environments.list: the name ${JSON.stringify(n)} is used twice`);
  }
  for (const n of repeated(c.profiles.map((p) => p.name))) {
    out.push(`profiles: the name ${JSON.stringify(n)} is used twice`);
  }
  if (c.profiles.filter((p) => p.default).length > 1) {
    out.push('profiles: more than one profile is marked default');
  }
  const d = c.environments.default;
  if (
    d !== null &&
    !c.environments.list.some((e) => e.name === d) &&
    c.environments.discover === null
  ) {
    out.push(`environments.default: ${JSON.stringify(d)} names no listed environment`);
  }
  const builtIn = new Set<string>();
  if (c.environments.list.length > 0 || c.environments.discover !== null) {
    builtIn.add('conda_environment');
  }
  if (c.profiles.length > 0) builtIn.add('profile');
  if (c.environment_variables.enabled) builtIn.add('environment_vars');
  for (const f of c.options) {
    if (builtIn.has(f.field)) {
      out.push(
        `options: the field name ${JSON.stringify(f.field)} is taken by the built-in option configured above`
      );
    }
  }
  return out;
}

/**
 * A copy of `raw` whose `backend` mapping names its type: `local` when it names none, as every
 * other key defaults (a union's default cannot reach inside a mapping the user gave).
 */
function backendTypeDefaulted(raw: object, defaultType: string): unknown {
  const copy = structuredClone(raw) as Record<string, unknown>;
  const backend = copy['backend'];
  if (typeof backend === 'object' && backend !== null && !Array.isArray(backend)) {
    const b = backend as Record<string, unknown>;
    if (!('type' in b)) copy['backend'] = { type: defaultType, ...b };
  }
  return copy;
}

/** The `backend:` section resolved by the module its `type` names. */
function resolveBackend(
  backends: BackendRegistry,
  section: unknown,
  paths: BackendConfigPaths
): ResolvedBackendConfig {
  const type = (section as { type: string }).type;
  return backends.get(type).resolveConfig(section, paths);
}

/**
 * Loads, validates and freezes the configuration.
 * @throws ConfigError naming every offending key.
 */
export function loadConfig(opts: LoadOptions): GatewayConfig {
  const { raw, source, base } = readSource(opts);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(source, ['the config must be a mapping of keys to values']);
  }
  const backends = opts.backends ?? builtinBackends();
  const schema = gatewayConfigSchema(backends);
  const withDefaults: unknown = Value.Default(
    schema,
    backendTypeDefaulted(raw, backends.defaultType)
  );
  const problems = schemaErrors(schema, withDefaults);
  if (problems.length > 0 || !Value.Check(schema, withDefaults)) {
    throw new ConfigError(source, problems.length > 0 ? problems : ['does not match the schema']);
  }
  const c = withDefaults;
  const optionProblems = [
    ...checkFieldDefinitions(c.options).map((p) => `options: ${p}`),
    ...choiceProblems(c),
    ...sharedPasswordAdminProblems(c),
  ];
  if (optionProblems.length > 0) throw new ConfigError(source, optionProblems);
  const env = opts.env ?? {};
  const listen =
    opts.listen === undefined
      ? parseListen(c.listen, 'listen', source)
      : parseListen(opts.listen, '--listen', '--listen');
  const dataDir = path.resolve(base, c.data_dir);
  const storePath = resolveStorePath(c.store.url, dataDir, base, source);
  const b = resolveBackend(backends, c.backend, {
    base,
    dataDir,
    defaultPythonEnv: env['GATEHOUSE_PYTHON_ENV'] ?? opts.defaultPythonEnv,
  });
  const config: GatewayConfig = {
    source,
    listen,
    publicUrl: c.public_url,
    apiUrl: c.api_url,
    prefix: c.prefix,
    dataDir,
    stopClustersOnShutdown: c.stop_clusters_on_shutdown ?? storePath === ':memory:',
    log: c.log,
    storePath,
    logs: {
      maxBytes: c.logs.max_bytes,
      keep: c.logs.keep,
      rotatePeriod: c.logs.rotate_period,
      retention: c.logs.retention ?? b.cluster_max_age,
    },
    encryptionKeys:
      c.store.encryption_keys.length > 0
        ? c.store.encryption_keys
        : (env['GATEHOUSE_ENCRYPTION_KEYS'] ?? '').split(';').filter((k) => k !== ''),
    auth: resolveAuth(c.auth, env, source),
    backend: b,
    timing: resolveTiming(b),
    cluster: c.cluster,
    environments: {
      ...c.environments,
      list: c.environments.list.map((e) => ({ ...e, prefix: path.resolve(base, e.prefix) })),
      discover:
        c.environments.discover === null ? null : path.resolve(base, c.environments.discover),
    },
    profiles: c.profiles,
    environmentVariables: c.environment_variables,
    access: c.access,
    quotas: c.quotas,
    pool: c.pool,
    proxy: resolveProxy(c.proxy, env, base, source),
    options: c.options,
    limits: c.limits,
    metrics: c.metrics,
    testing: c.testing,
  };
  if (storePath === ':memory:' && !config.stopClustersOnShutdown) {
    throw new ConfigError(source, [
      'stop_clusters_on_shutdown: must be true with an in-memory store (nothing could re-adopt the clusters)',
    ]);
  }
  return deepFreeze(config);
}
