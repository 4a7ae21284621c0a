/**
 * Resolves the `backend` section: every path made absolute and the reconciler timing derived.
 * @module
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { LocalBackendConfig, SlurmBackendConfig } from './schema.js';

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

/** Settings of backends that start processes, with every path made absolute. */
export interface ResolvedProcessSettings {
  readonly pythonEnv: string;
  readonly clustersDirectory: string;
  readonly logsDirectory: string;
  readonly inherited_environment: string[];
  readonly sigint_timeout: number;
  readonly sigterm_timeout: number;
  readonly sigkill_timeout: number;
}

type PathKeys =
  'python_env' | 'clusters_directory' | 'logs_directory' | keyof ResolvedProcessSettings;

/** The local backend's settings with every path made absolute. */
export interface ResolvedLocalBackend
  extends Omit<LocalBackendConfig, PathKeys>, ResolvedProcessSettings {
  /**
   * Parent of cluster working directories when clusters are isolated: `clusters_directory` if
   * set, else `/var/lib/gatehouse/clusters/<hash of data_dir>`, whose parents every uid may
   * traverse (a data dir's often do not: temporary directories, home directories).
   */
  readonly isolatedClustersDirectory: string;
}

/** The Slurm backend's settings with every path made absolute. */
export interface ResolvedSlurmBackend
  extends Omit<SlurmBackendConfig, PathKeys | 'staging_directory'>, ResolvedProcessSettings {
  /** Parent of per-cluster staging directories (shared filesystem). */
  readonly stagingDirectory: string;
}

/** The reconciler timing of a backend section, derived values filled in. */
export function resolveTiming(b: LocalBackendConfig | SlurmBackendConfig): ResolvedTiming {
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

/** Where the backend section's relative paths start, and what fills the ones it leaves out. */
export interface BackendPathContext {
  /** Directory relative paths are resolved against. */
  readonly base: string;
  /** The resolved data directory. */
  readonly dataDir: string;
  /** The Python environment when neither the file nor the environment names one. */
  readonly pythonEnv: string;
}

/** The backend section with every path made absolute. */
export function resolveBackend(
  b: LocalBackendConfig | SlurmBackendConfig,
  ctx: BackendPathContext
): ResolvedLocalBackend | ResolvedSlurmBackend {
  const { base, dataDir } = ctx;
  const paths = {
    pythonEnv: path.resolve(base, b.python_env ?? ctx.pythonEnv),
    clustersDirectory: path.resolve(base, b.clusters_directory ?? path.join(dataDir, 'clusters')),
    logsDirectory: path.resolve(base, b.logs_directory ?? path.join(dataDir, 'logs')),
  };
  if (b.type === 'local') {
    const { python_env: _p, clusters_directory: _c, logs_directory: _l, ...rest } = b;
    const isolatedClustersDirectory =
      b.clusters_directory === null
        ? path.join(
            '/var/lib/gatehouse/clusters',
            createHash('sha256').update(dataDir).digest('hex').slice(0, 16)
          )
        : paths.clustersDirectory;
    return { ...rest, ...paths, isolatedClustersDirectory };
  }
  const {
    python_env: _p,
    clusters_directory: _c,
    logs_directory: _l,
    staging_directory,
    ...rest
  } = b;
  return {
    ...rest,
    ...paths,
    stagingDirectory: path.resolve(base, staging_directory ?? path.join(dataDir, 'staging')),
  };
}
