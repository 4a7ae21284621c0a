/**
 * The gauges computed from the live cluster records at scrape time: clusters by status, workers
 * by state, pool machines, per-user cores and memory, backend processes and heartbeat lag.
 * @module
 */
import { Gauge, type Registry } from 'prom-client';
import { CLUSTER_STATUSES } from '@gatehouse/api';
import { Job, isFinal, publicStatus, type ClusterRecord } from '../clusters/model.js';

/** What the scrape-time gauges read. */
export interface MetricSources {
  /** Every cluster record the manager holds. */
  readonly clusters: () => Iterable<ClusterRecord>;
  /** Pool machines in use and free. */
  readonly pool: () => { readonly used: number; readonly free: number };
  /** Name of the backend running processes (a label of `gatehouse_processes`). */
  readonly backend: string;
  /** Milliseconds now (the gateway's clock). */
  readonly now: () => number;
}

/** The values of the `state` label of `gatehouse_workers`. */
const WORKER_STATES = ['pending', 'running', 'stopping', 'stopped', 'failed'] as const;

/** The state label of a worker. */
function workerState(w: { status: number; target: number }): (typeof WORKER_STATES)[number] {
  if (w.status === Job.STOPPED) return 'stopped';
  if (w.status === Job.FAILED) return 'failed';
  if (w.target !== Job.RUNNING) return 'stopping';
  return w.status === Job.RUNNING ? 'running' : 'pending';
}

/** Registers clusters by public status and workers by state. */
function registerCountGauges(registers: Registry[], sources: MetricSources): void {
  new Gauge({
    name: 'gatehouse_clusters',
    help: 'Clusters the gateway holds, by public status.',
    labelNames: ['status'],
    registers,
    collect() {
      const counts = new Map<string, number>(CLUSTER_STATUSES.map((s) => [s, 0]));
      for (const c of sources.clusters()) {
        const s = publicStatus(c);
        counts.set(s, (counts.get(s) ?? 0) + 1);
      }
      for (const [status, n] of counts) this.set({ status }, n);
    },
  });

  new Gauge({
    name: 'gatehouse_workers',
    help: 'Workers of the clusters the gateway holds, by state.',
    labelNames: ['state'],
    registers,
    collect() {
      const counts = new Map<string, number>(WORKER_STATES.map((s) => [s, 0]));
      for (const c of sources.clusters()) {
        for (const w of c.workers.values()) {
          const s = workerState(w);
          counts.set(s, (counts.get(s) ?? 0) + 1);
        }
      }
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
}

/** Cores and memory of the running schedulers and workers of each user. */
function usageByUser(
  clusters: Iterable<ClusterRecord>
): Map<string, { cores: number; memory: number }> {
  const out = new Map<string, { cores: number; memory: number }>();
  for (const c of clusters) {
    if (isFinal(c.status) || c.status === Job.CREATED) continue;
    const u = out.get(c.username) ?? { cores: 0, memory: 0 };
    u.cores += c.config.scheduler_cores;
    u.memory += c.config.scheduler_memory;
    for (const w of c.workers.values()) {
      if (isFinal(w.status) || w.status === Job.CREATED) continue;
      u.cores += c.config.worker_cores;
      u.memory += c.config.worker_memory;
    }
    out.set(c.username, u);
  }
  return out;
}

/** Registers the pool machines and each user's active cores and memory. */
function registerUsageGauges(registers: Registry[], sources: MetricSources): void {
  const perUser = () => usageByUser(sources.clusters());
  new Gauge({
    name: 'gatehouse_pool_machines',
    help: 'Machines of the shared worker pool, used or free.',
    labelNames: ['state'],
    registers,
    collect() {
      const p = sources.pool();
      this.set({ state: 'used' }, p.used);
      this.set({ state: 'free' }, p.free);
    },
  });

  new Gauge({
    name: 'gatehouse_user_active_cores',
    help: 'Cores of the running schedulers and workers of each user.',
    labelNames: ['user'],
    registers,
    collect() {
      this.reset();
      for (const [user, u] of perUser()) this.set({ user }, u.cores);
    },
  });
  new Gauge({
    name: 'gatehouse_user_active_memory_bytes',
    help: 'Memory of the running schedulers and workers of each user.',
    labelNames: ['user'],
    registers,
    collect() {
      this.reset();
      for (const [user, u] of perUser()) this.set({ user }, u.memory);
    },
  });
}

/** Registers backend processes and the heartbeat lag. */
function registerProcessGauges(registers: Registry[], sources: MetricSources): void {
  new Gauge({
    name: 'gatehouse_processes',
    help: 'Scheduler and worker processes the backend runs, by backend and kind.',
    labelNames: ['backend', 'kind'],
    registers,
    collect() {
      let schedulers = 0;
      let workers = 0;
      for (const c of sources.clusters()) {
        if (c.status === Job.CREATED || isFinal(c.status)) continue;
        schedulers++;
        for (const w of c.workers.values()) {
          if (w.status !== Job.CREATED && !isFinal(w.status)) workers++;
        }
      }
      this.set({ backend: sources.backend, kind: 'scheduler' }, schedulers);
      this.set({ backend: sources.backend, kind: 'worker' }, workers);
    },
  });

  new Gauge({
    name: 'gatehouse_heartbeat_lag_seconds',
    help: 'Seconds since the last heartbeat of the running cluster that heard from its scheduler longest ago.',
    registers,
    collect() {
      const now = sources.now();
      let lag = 0;
      for (const c of sources.clusters()) {
        if (c.status === Job.RUNNING && c.target === Job.RUNNING && c.lastHeartbeat > 0) {
          lag = Math.max(lag, (now - c.lastHeartbeat) / 1000);
        }
      }
      this.set(lag);
    },
  });
}

/** Registers every scrape-time gauge on `registers`, in the order they are exposed. */
export function registerStateGauges(registers: Registry[], sources: MetricSources): void {
  registerCountGauges(registers, sources);
  registerUsageGauges(registers, sources);
  registerProcessGauges(registers, sources);
}
