/**
 * Resolves the `backend` section through the module its `type` names (see
 * backends/registry.ts), and derives the reconciler timing from the lifecycle keys every
 * backend section carries.
 * @module
 */
import type { BackendConfigPaths, ResolvedBackendConfig } from '../backends/backend-config.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { LifecycleSettings } from './sections/lifecycle.js';
import type { ResolvedTiming } from './resolved-timing.js';

export type { ResolvedTiming } from './resolved-timing.js';

/** The reconciler timing of a backend section, derived values filled in. */
export function resolveTiming(b: LifecycleSettings): ResolvedTiming {
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

/** The validated `backend:` section resolved by the module its `type` names. */
export function resolveBackend(
  backends: BackendRegistry,
  section: unknown,
  paths: BackendConfigPaths
): ResolvedBackendConfig {
  const type = (section as { type: string }).type;
  return backends.get(type).resolveConfig(section, paths);
}
