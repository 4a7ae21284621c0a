/**
 * How the CLI shows a cluster's view (`clusters list|show`, `admin clusters list`): workers
 * running, starting and wanted, cores and memory held, profile, age and cost, in the shared
 * formatter's units and plurals (the web UI says the same), and the JSON scripts get.
 * @module
 */
import {
  formatBytes,
  formatCoreHours,
  formatCores,
  formatDuration,
  formatRelative,
  type AdminCluster,
  type ClusterDetail,
} from '@gatehouse/sdk';
import { time, type Cell } from './output.js';

/** The status with its reason once finished: `STOPPED (idle)`, `FAILED (worker exited)`. */
export function statusCell(c: AdminCluster): string {
  const reason = c.failure?.reason ?? c.stop_reason;
  return reason === null || (c.status !== 'STOPPED' && c.status !== 'FAILED')
    ? c.status
    : `${c.status} (${reason})`;
}

/** Workers as `running/target`, with the starting ones: `2/3, 1 starting`. */
export function workersCell(c: AdminCluster): string {
  const base = `${String(c.workers_running)}/${String(c.workers_target)}`;
  return c.workers_starting === 0 ? base : `${base}, ${String(c.workers_starting)} starting`;
}

/** The table headers of a cluster row (with `owner` for admins). */
export function clusterHeaders(owner: boolean): string[] {
  return [
    'name',
    ...(owner ? ['owner'] : []),
    'status',
    'workers',
    'cores',
    'memory',
    'profile',
    'age',
    'cost',
  ];
}

/** One table row of `c` (with its owner for admins). */
export function clusterRow(c: AdminCluster, owner: boolean): Cell[] {
  return [
    c.name,
    ...(owner ? [c.username] : []),
    statusCell(c),
    workersCell(c),
    formatCores(c.cores),
    formatBytes(c.memory),
    c.profile,
    formatDuration(c.age_seconds),
    formatCoreHours(c.core_hours),
  ];
}

/** The `key: value` lines of one cluster at `now` (ms). */
export function clusterDetails(
  c: ClusterDetail,
  dashboard: string | null,
  now: number
): Array<readonly [string, Cell]> {
  const adaptive =
    c.adaptive === null
      ? null
      : `${String(c.adaptive.minimum)} to ${c.adaptive.maximum === null ? 'unlimited' : String(c.adaptive.maximum)} workers`;
  return [
    ['name', c.name],
    ['owner', c.username],
    ['status', statusCell(c)],
    ['profile', c.profile],
    ['environment', c.environment],
    [
      'workers',
      `${String(c.workers_running)} running, ${String(c.workers_starting)} starting, target ${String(c.workers_target)}`,
    ],
    ['adaptive', adaptive],
    ['worker size', `${formatCores(c.worker_cores)}, ${formatBytes(c.worker_memory)}`],
    ['in use', `${formatCores(c.cores)}, ${formatBytes(c.memory)}`],
    ['cost so far', formatCoreHours(c.core_hours)],
    ['started', `${time(c.start_time) ?? ''} (${formatRelative(c.start_time, now)})`],
    [
      'stopped',
      c.stop_time === null
        ? null
        : `${time(c.stop_time) ?? ''} (${formatRelative(c.stop_time, now)})`,
    ],
    [
      'lifetime left',
      c.lifetime_left_seconds === null ? null : formatDuration(c.lifetime_left_seconds),
    ],
    ['dashboard', dashboard],
    ...Object.entries(c.options).map(([k, v]) => [`option ${k}`, JSON.stringify(v)] as const),
  ];
}

/** A cluster view for scripts: the view and its dashboard URL. */
export function clusterViewForScripts<T extends AdminCluster>(c: T, dashboard: string | null) {
  return { ...c, dashboard_link: dashboard };
}
