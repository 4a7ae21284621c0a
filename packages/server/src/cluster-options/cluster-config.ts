/**
 * Per-cluster configuration (spec §8.2): the upstream `ClusterConfig` fields, their defaults, and
 * resolution of admin configuration plus option overrides into a validated config.
 *
 * Field names stay snake_case, as upstream spells them and as option targets and handlers name
 * them.
 * @module
 */
import { invalid } from '../errors.js';
import { isIntegral, isRecord } from './guards.js';
import { formatBytes, parseMemory } from './memory.js';
import { pyFloatRepr, pyIntRepr, pyRepr } from './python-repr.js';

/** A resolved, validated cluster configuration, stored with the cluster and used to launch it. */
export interface ClusterConfig {
  /** Scheduler command line (argv), at least one element. */
  scheduler_cmd: string[];
  /** Worker command line (argv), at least one element. */
  worker_cmd: string[];
  /** Environment variables for scheduler and workers. */
  environment: Record<string, string>;
  /** Bytes available to each worker (positive integer). */
  worker_memory: number;
  /** CPU cores per worker (integer ≥ 1). */
  worker_cores: number;
  /** Threads per worker (integer ≥ 1; defaults to `worker_cores`). */
  worker_threads: number;
  /** Bytes available to the scheduler (integer ≥ 0). */
  scheduler_memory: number;
  /** CPU cores of the scheduler (integer ≥ 1). */
  scheduler_cores: number;
  /** Seconds between adaptive scaling checks (≥ 0). */
  adaptive_period: number;
  /** Seconds of idleness before shutdown; 0 means never. */
  idle_timeout: number;
  /** Memory limit of the whole cluster in bytes, or null for none. */
  cluster_max_memory: number | null;
  /** Cores limit of the whole cluster, or null for none. */
  cluster_max_cores: number | null;
  /**
   * The explicitly configured worker limit, or null. The limit that applies also depends on the
   * memory and cores limits: see `effectiveMaxWorkers` in `limits.ts`.
   */
  cluster_max_workers: number | null;
  /**
   * Prefix of the Python environment whose interpreter runs this cluster's scheduler and
   * workers (a Gatehouse addition); null means the backend's configured environment.
   */
  python_env: string | null;
  /** Seconds after which the cluster is stopped whatever it is doing (reason "lifetime"); null = never. */
  max_lifetime: number | null;
  /**
   * Seconds a running cluster may have no client connected through the proxy before it is
   * stopped (reason "no client"); null = never.
   */
  no_client_timeout: number | null;
}

/** What an admin or an override may write for each ClusterConfig field before resolution. */
export interface ClusterConfigInput {
  /** A string becomes a one-element list. */
  scheduler_cmd: string | readonly string[];
  /** A string becomes a one-element list. */
  worker_cmd: string | readonly string[];
  environment: Readonly<Record<string, string>>;
  /** Bytes, or a string such as `"2 G"` (see `parseMemory`). */
  worker_memory: number | string;
  worker_cores: number;
  /** `null` or `0` means `worker_cores`. */
  worker_threads: number | null;
  /** Bytes, or a string such as `"2 G"`. */
  scheduler_memory: number | string;
  scheduler_cores: number;
  adaptive_period: number;
  idle_timeout: number;
  /** Bytes, a string such as `"6 G"`, or null. */
  cluster_max_memory: number | string | null;
  cluster_max_cores: number | null;
  cluster_max_workers: number | null;
  python_env: string | null;
  max_lifetime: number | null;
  no_client_timeout: number | null;
}

/** The names of all ClusterConfig fields, in upstream's order. */
export const CLUSTER_CONFIG_FIELDS: readonly (keyof ClusterConfig)[] = [
  'scheduler_cmd',
  'worker_cmd',
  'environment',
  'worker_memory',
  'worker_cores',
  'worker_threads',
  'scheduler_memory',
  'scheduler_cores',
  'adaptive_period',
  'idle_timeout',
  'cluster_max_memory',
  'cluster_max_cores',
  'cluster_max_workers',
  'python_env',
  'max_lifetime',
  'no_client_timeout',
];

/** Upstream's defaults (spec §8.2). */
export const CLUSTER_CONFIG_DEFAULTS: Readonly<ClusterConfigInput> = Object.freeze({
  scheduler_cmd: Object.freeze(['dask-scheduler']),
  worker_cmd: Object.freeze(['dask-worker']),
  environment: Object.freeze({}),
  worker_memory: '2 G',
  worker_cores: 1,
  worker_threads: null,
  scheduler_memory: '2 G',
  scheduler_cores: 1,
  adaptive_period: 3,
  idle_timeout: 0,
  cluster_max_memory: null,
  cluster_max_cores: null,
  cluster_max_workers: null,
  python_env: null,
  max_lifetime: null,
  no_client_timeout: null,
});

/** True when `key` names a ClusterConfig field. */
export function isClusterConfigField(key: string): key is keyof ClusterConfig {
  return CLUSTER_CONFIG_FIELDS.some((f) => f === key);
}

/** The result of {@link resolveClusterConfig}. */
export interface ResolvedClusterConfig {
  /** The validated configuration. */
  config: ClusterConfig;
  /** Override keys that name no ClusterConfig field and were ignored (spec §4.3 step 4). */
  ignored: string[];
}

function command(key: string, v: unknown): string[] {
  const list: unknown[] = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
  const strings = list.filter((s): s is string => typeof s === 'string');
  if (strings.length === 0 || strings.length !== list.length || strings[0] === '') {
    throw invalid(`${key} must be a string or a non-empty list of strings, got ${pyRepr(v)}`);
  }
  return strings;
}

function environment(v: unknown): Record<string, string> {
  if (!isRecord(v)) {
    throw invalid(`environment must be a mapping of names to strings, got ${pyRepr(v)}`);
  }
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(v)) {
    if (typeof value !== 'string') {
      throw invalid(`environment variable ${pyRepr(name)} must be a string, got ${pyRepr(value)}`);
    }
    out.set(name, value);
  }
  return Object.fromEntries(out);
}

function positiveOrNone(key: string, v: unknown): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw invalid(`${key} must be None or a number of seconds > 0, got ${pyRepr(v)}`);
  }
  return v;
}

function pythonEnv(v: unknown): string | null {
  if (v === null) return null;
  if (typeof v !== 'string' || !v.startsWith('/')) {
    throw invalid(`python_env must be an absolute path or None, got ${pyRepr(v)}`);
  }
  return v;
}

function integerAtLeast(key: string, v: unknown, min: number, orNone = false): number {
  if (!isIntegral(v) || v < min) {
    const what = `${orNone ? 'None or ' : ''}an integer >= ${min}`;
    throw invalid(`${key} must be ${what}, got ${pyRepr(v)}`);
  }
  return v;
}

function nonNegativeNumber(key: string, v: unknown, orNone = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw invalid(`${key} must be ${orNone ? 'None or ' : ''}a number >= 0, got ${pyRepr(v)}`);
  }
  return v;
}

/**
 * Resolves a cluster configuration: upstream defaults, then `base` (the admin's configuration),
 * then `overrides` (from options or the options handler), which win. Keys of `overrides` that
 * are not ClusterConfig fields are skipped and listed in `ignored` so the caller can log them;
 * `undefined` values count as unset. Memory values are parsed to bytes, commands given as a
 * string become one-element lists, and a null or 0 `worker_threads` becomes `worker_cores`.
 *
 * @throws GatewayError `invalid` (422) naming the field and the bad value, a memory
 *   specification error, `Scheduler memory request of <X> exceeds cluster memory limit of <Y>`
 *   (formatted with {@link formatBytes}), or
 *   `Scheduler cores request of <a> exceeds cluster cores limit of <b>`.
 */
export function resolveClusterConfig(
  base: Partial<ClusterConfigInput>,
  overrides: Readonly<Record<string, unknown>>
): ResolvedClusterConfig {
  const values = new Map<string, unknown>(Object.entries(CLUSTER_CONFIG_DEFAULTS));
  for (const key of CLUSTER_CONFIG_FIELDS) {
    const v: unknown = base[key];
    if (v !== undefined) values.set(key, v);
  }
  const ignored: string[] = [];
  for (const [key, v] of Object.entries(overrides)) {
    if (!isClusterConfigField(key)) ignored.push(key);
    else if (v !== undefined) values.set(key, v);
  }
  const get = (key: keyof ClusterConfig): unknown => values.get(key);

  const schedulerCmd = command('scheduler_cmd', get('scheduler_cmd'));
  const workerCmd = command('worker_cmd', get('worker_cmd'));
  const env = environment(get('environment'));
  const workerMemory = parseMemory(get('worker_memory'), 'worker_memory');
  if (workerMemory === 0) {
    throw invalid(`worker_memory must be positive, got ${pyRepr(get('worker_memory'))}`);
  }
  const workerCores = integerAtLeast('worker_cores', get('worker_cores'), 1);
  const threads = get('worker_threads');
  const workerThreads =
    threads === null || threads === 0 ? workerCores : integerAtLeast('worker_threads', threads, 1);
  const schedulerMemory = parseMemory(get('scheduler_memory'), 'scheduler_memory');
  const schedulerCores = integerAtLeast('scheduler_cores', get('scheduler_cores'), 1);
  const adaptivePeriod = nonNegativeNumber('adaptive_period', get('adaptive_period'));
  const idleTimeout = nonNegativeNumber('idle_timeout', get('idle_timeout'));
  const maxMemory = get('cluster_max_memory');
  const maxCores = get('cluster_max_cores');
  const maxWorkers = get('cluster_max_workers');
  const config: ClusterConfig = {
    scheduler_cmd: schedulerCmd,
    worker_cmd: workerCmd,
    environment: env,
    worker_memory: workerMemory,
    worker_cores: workerCores,
    worker_threads: workerThreads,
    scheduler_memory: schedulerMemory,
    scheduler_cores: schedulerCores,
    adaptive_period: adaptivePeriod,
    idle_timeout: idleTimeout,
    cluster_max_memory: maxMemory === null ? null : parseMemory(maxMemory, 'cluster_max_memory'),
    cluster_max_cores:
      maxCores === null ? null : nonNegativeNumber('cluster_max_cores', maxCores, true),
    cluster_max_workers:
      maxWorkers === null ? null : integerAtLeast('cluster_max_workers', maxWorkers, 0, true),
    python_env: pythonEnv(get('python_env')),
    max_lifetime: positiveOrNone('max_lifetime', get('max_lifetime')),
    no_client_timeout: positiveOrNone('no_client_timeout', get('no_client_timeout')),
  };

  if (config.cluster_max_memory !== null && config.scheduler_memory > config.cluster_max_memory) {
    throw invalid(
      `Scheduler memory request of ${formatBytes(config.scheduler_memory)} exceeds cluster ` +
        `memory limit of ${formatBytes(config.cluster_max_memory)}`
    );
  }
  if (config.cluster_max_cores !== null && config.scheduler_cores > config.cluster_max_cores) {
    throw invalid(
      `Scheduler cores request of ${pyIntRepr(config.scheduler_cores)} exceeds cluster cores ` +
        `limit of ${pyFloatRepr(config.cluster_max_cores)}`
    );
  }
  return { config, ignored };
}
