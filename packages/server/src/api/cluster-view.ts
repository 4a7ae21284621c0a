/**
 * The Gatehouse-only view of a cluster (`AdminCluster`) the cluster lists and the web UI show:
 * owner, workers running, starting and wanted, resources in use, cost so far, profile,
 * environment, adaptive bounds, age, time left before the lifetime limit, stop reason and
 * failure condition, with secret-looking option values masked. It never travels inside the
 * client's ClusterJSON.
 * @module
 */
import { clusterNameOf } from '../cluster-options/cluster-name.js';
import type { AdminCluster } from '@gatehouse/api';
import {
  Job,
  isFinal,
  publicStatus,
  type ClusterRecord,
  type JobStatus,
} from '../clusters/model.js';
import { usageHours, type UsageHours } from '../pool/usage-hours.js';
import type { ApiContext } from './context.js';
import { maskSecretOptions } from './secret-mask.js';

/** `v` when it is a string, else null. */
const stringOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** Whether a job's process was started and has not ended (it holds its cores and memory). */
const holds = (status: JobStatus): boolean =>
  status === Job.SUBMITTED || status === Job.RUNNING || status === Job.CLOSING;

/**
 * The worker numbers of `c`: running (its scheduler reported them connected), starting
 * (wanted, not connected yet), the target, and the scheduler and worker processes holding
 * resources now. A finished cluster has none of them, whatever its last records said.
 */
function workerCounts(c: ClusterRecord): {
  running: number;
  starting: number;
  target: number;
  schedulers: number;
  processes: number;
} {
  if (isFinal(c.status)) return { running: 0, starting: 0, target: 0, schedulers: 0, processes: 0 };
  let running = 0;
  let starting = 0;
  let processes = 0;
  for (const w of c.workers.values()) {
    const wanted = w.target === Job.RUNNING;
    if (wanted && w.status === Job.RUNNING) running++;
    else if (wanted && w.status < Job.RUNNING) starting++;
    if (holds(w.status)) processes++;
  }
  const target = c.target === Job.RUNNING ? c.count : 0;
  return { running, starting, target, schedulers: holds(c.status) ? 1 : 0, processes };
}

/** The view of `c` at `now` (milliseconds), with its usage so far when known. */
export function clusterView(c: ClusterRecord, now: number, hours?: UsageHours): AdminCluster {
  const status = publicStatus(c);
  const n = workerCounts(c);
  const lifetime = c.config.max_lifetime;
  return {
    name: c.name,
    cluster_name: clusterNameOf(c.options),
    username: c.username,
    status,
    workers: n.running,
    requested_workers: n.target,
    workers_running: n.running,
    workers_starting: n.starting,
    workers_target: n.target,
    cores: n.schedulers * c.config.scheduler_cores + n.processes * c.config.worker_cores,
    memory: n.schedulers * c.config.scheduler_memory + n.processes * c.config.worker_memory,
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
