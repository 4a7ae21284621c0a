/**
 * The gateway's Prometheus metrics (issue 10): one prom-client Registry per gateway instance
 * (never the global default one), with gauges computed from the live records at scrape time and
 * counters and histograms fed by the API, the reconciler and the proxy. `docs/metrics.md` is the
 * reference of every family below.
 * @module
 */
import type net from 'node:net';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
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

/** Kinds of proxied connection. */
export type ProxyKind = 'scheduler' | 'dashboard';

/** Why a request or connection was refused (a label of `gatehouse_refusals_total`). */
export type RefusalReason =
  | 'unauthenticated'
  | 'not_granted'
  | 'not_admin'
  | 'quota'
  | 'clamped'
  | 'rate_limited'
  | 'body_too_large'
  | 'header_too_large'
  | 'tls_no_route'
  | 'handshake_limit'
  | 'handshake_timeout';

/** Counts proxied connections and their bytes. */
export interface ProxyMeter {
  /** Counts `socket` as an open connection of `kind` until it closes; its bytes are metered. */
  track(kind: ProxyKind, socket: net.Socket): void;
  /** A proxied request (not a socket of its own): open until `done` is called. */
  request(kind: ProxyKind): { bytes(direction: 'in' | 'out', n: number): void; done(): void };
}

/** The metrics of one gateway. */
export interface GatewayMetrics {
  readonly registry: Registry;
  readonly proxy: ProxyMeter;
  /** One answered API request. */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
  /** A cluster reached RUNNING `seconds` after it was created. */
  clusterStarted(seconds: number): void;
  /** A heartbeat arrived `seconds` after the cluster's previous one. */
  heartbeat(seconds: number): void;
  refusal(reason: RefusalReason): void;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
  readonly contentType: string;
}

const WORKER_STATES = ['pending', 'running', 'stopping', 'stopped', 'failed'] as const;

function workerState(w: { status: number; target: number }): (typeof WORKER_STATES)[number] {
  if (w.status === Job.STOPPED) return 'stopped';
  if (w.status === Job.FAILED) return 'failed';
  if (w.target !== Job.RUNNING) return 'stopping';
  return w.status === Job.RUNNING ? 'running' : 'pending';
}

/** Creates the registry and every metric family. */
export function createMetrics(sources: MetricSources): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];

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

  const perUser = () => {
    const out = new Map<string, { cores: number; memory: number }>();
    for (const c of sources.clusters()) {
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
  };
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

  const heartbeatInterval = new Histogram({
    name: 'gatehouse_heartbeat_interval_seconds',
    help: 'Seconds between two heartbeats of the same cluster.',
    buckets: [0.5, 1, 2, 5, 10, 15, 20, 30, 60, 120],
    registers,
  });
  const requestDuration = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'API request durations, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const startDuration = new Histogram({
    name: 'gatehouse_cluster_start_duration_seconds',
    help: 'Seconds from a cluster being created to its scheduler running.',
    buckets: [1, 2, 5, 10, 15, 20, 30, 45, 60, 120, 300],
    registers,
  });
  const refusals = new Counter({
    name: 'gatehouse_refusals_total',
    help: 'Requests and connections refused, by reason.',
    labelNames: ['reason'],
    registers,
  });

  const proxyOpen = new Gauge({
    name: 'gatehouse_proxy_connections',
    help: 'Open proxied connections: scheduler TLS splices and dashboard requests and WebSockets.',
    labelNames: ['kind'],
    registers,
  });
  const proxyTotal = new Counter({
    name: 'gatehouse_proxy_connections_total',
    help: 'Proxied connections opened, by kind.',
    labelNames: ['kind'],
    registers,
  });
  const tracked = new Map<net.Socket, { kind: ProxyKind; read: number; written: number }>();
  const proxyBytes = new Counter({
    name: 'gatehouse_proxy_bytes_total',
    help: 'Bytes through the proxy, by kind and direction (in: from clients, out: to clients).',
    labelNames: ['kind', 'direction'],
    registers,
    collect() {
      for (const s of tracked.keys()) meter(s);
    },
  });
  /** Adds what `socket` moved since it was last metered. */
  const meter = (socket: net.Socket) => {
    const t = tracked.get(socket);
    if (t === undefined) return;
    const read = socket.bytesRead;
    const written = socket.bytesWritten;
    if (read > t.read) proxyBytes.inc({ kind: t.kind, direction: 'in' }, read - t.read);
    if (written > t.written) {
      proxyBytes.inc({ kind: t.kind, direction: 'out' }, written - t.written);
    }
    t.read = read;
    t.written = written;
  };
  for (const kind of ['scheduler', 'dashboard'] as const) {
    proxyOpen.set({ kind }, 0);
    proxyTotal.inc({ kind }, 0);
    for (const direction of ['in', 'out']) proxyBytes.inc({ kind, direction }, 0);
  }

  const proxy: ProxyMeter = {
    track(kind, socket) {
      if (tracked.has(socket)) return;
      tracked.set(socket, { kind, read: 0, written: 0 });
      proxyOpen.inc({ kind });
      proxyTotal.inc({ kind });
      socket.once('close', () => {
        meter(socket);
        tracked.delete(socket);
        proxyOpen.dec({ kind });
      });
    },
    request(kind) {
      proxyOpen.inc({ kind });
      proxyTotal.inc({ kind });
      let open = true;
      return {
        bytes(direction, n) {
          proxyBytes.inc({ kind, direction }, n);
        },
        done() {
          if (open) proxyOpen.dec({ kind });
          open = false;
        },
      };
    },
  };

  return {
    registry,
    proxy,
    contentType: registry.contentType,
    httpRequest(method, route, status, seconds) {
      requestDuration.observe({ method, route, status: String(status) }, seconds);
    },
    clusterStarted(seconds) {
      startDuration.observe(seconds);
    },
    heartbeat(seconds) {
      heartbeatInterval.observe(seconds);
    },
    refusal(reason) {
      refusals.inc({ reason });
    },
    render: () => registry.metrics(),
  };
}
