/**
 * The Gatehouse-only view of a cluster (`AdminCluster`) the cluster lists and the web UI show:
 * owner, workers running, starting and wanted, resources in use, cost so far, profile,
 * environment, adaptive bounds, age, time left before the lifetime limit, stop reason and
 * failure condition, with secret-looking option values masked. It never travels inside the
 * client's ClusterJSON.
 * @module
 */
import type { AdminCluster } from '@gatehouse/api';
import { publicStatus, type ClusterRecord } from '../clusters/model.js';
import { usageHours, type UsageHours } from '../pool/usage-hours.js';
import type { ApiContext } from './context.js';
import { maskSecretOptions } from './secret-mask.js';

/** `v` when it is a string, else null. */
const stringOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** The view of `c` at `now` (milliseconds), with its usage so far when known. */
export function clusterView(c: ClusterRecord, now: number, hours?: UsageHours): AdminCluster {
  const status = publicStatus(c);
  const running = [...c.workers.values()].filter((w) => w.status <= 3 && w.target === 3).length;
  const lifetime = c.config.max_lifetime;
  return {
    name: c.name,
    username: c.username,
    status,
    workers: running,
    requested_workers: c.count,
    workers_running: running,
    workers_starting: 0,
    workers_target: c.count,
    cores: c.config.scheduler_cores + running * c.config.worker_cores,
    memory: c.config.scheduler_memory + running * c.config.worker_memory,
    core_hours: hours?.core_hours ?? 0,
    memory_gib_hours: hours?.memory_gib_hours ?? 0,
    worker_cores: c.config.worker_cores,
    worker_memory: c.config.worker_memory,
    profile: stringOrNull(c.options['profile']),
    environment: stringOrNull(c.options['conda_environment']),
    adaptive: c.adaptive ?? null,
    start_time: c.startTime,
    stop_time: c.stopTime,
    age_seconds: ((c.stopTime ?? now) - c.startTime) / 1000,
    lifetime_left_seconds:
      lifetime === null || c.stopTime !== null || c.target > 3
        ? null
        : Math.max(0, lifetime - (now - c.startTime) / 1000),
    stop_reason: c.stopReason,
    failure: c.failure === null ? null : { ...c.failure },
    dashboard_route:
      status === 'RUNNING' && c.dashboardAddress !== '' ? `/clusters/${c.name}/status` : null,
    options: maskSecretOptions(c.options),
  };
}

/** The views of `clusters` at `now`, with their core-hours so far from the usage intervals. */
export async function clusterViewsWithUsage(
  ctx: Pick<ApiContext, 'accessStore'>,
  clusters: readonly ClusterRecord[],
  now: number
): Promise<AdminCluster[]> {
  if (clusters.length === 0) return [];
  const since = Math.min(...clusters.map((c) => c.startTime));
  const rows = await ctx.accessStore.usageSince(since);
  const hours = usageHours(rows, (r) => r.cluster_name, since, now);
  return clusters.map((c) => clusterView(c, now, hours.get(c.name)));
}
