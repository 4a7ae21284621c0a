/**
 * The Gatehouse-only view of a cluster (`AdminCluster`) the admin API and the web UI show: owner, workers,
 * resources in use, age, time left before the lifetime limit, stop reason and failure condition. It never travels
 * inside the client's ClusterJSON.
 * @module
 */
import type { AdminCluster } from '@gatehouse/api';
import { publicStatus, type ClusterRecord } from '../clusters/model.js';

/** The view of `c` at `now` (milliseconds). */
export function clusterView(c: ClusterRecord, now: number): AdminCluster {
  const status = publicStatus(c);
  const running = [...c.workers.values()].filter((w) => w.status <= 3 && w.target === 3).length;
  const lifetime = c.config.max_lifetime;
  return {
    name: c.name,
    username: c.username,
    status,
    workers: running,
    requested_workers: c.count,
    cores: c.config.scheduler_cores + running * c.config.worker_cores,
    memory: c.config.scheduler_memory + running * c.config.worker_memory,
    worker_cores: c.config.worker_cores,
    worker_memory: c.config.worker_memory,
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
    options: { ...c.options },
  };
}
