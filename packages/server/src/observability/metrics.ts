/**
 * The gateway's Prometheus metrics (issue 10): one prom-client Registry per gateway instance
 * (never the global default one), with gauges computed from the live records at scrape time and
 * counters and histograms fed by the API, the reconciler and the proxy. `docs/metrics.md` is the
 * reference of every family below; the scrape-time gauges are `state-gauges.ts`, the proxy
 * traffic families `proxy-meter.ts`.
 * @module
 */
import { Counter, Histogram, Registry } from 'prom-client';
import { createProxyMeter, type ProxyMeter } from './proxy-meter.js';
import { registerStateGauges, type MetricSources } from './state-gauges.js';

export type { ProxyKind, ProxyMeter } from './proxy-meter.js';
export type { MetricSources } from './state-gauges.js';

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

/** Creates the registry and every metric family. */
export function createMetrics(sources: MetricSources): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];

  registerStateGauges(registers, sources);

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

  const proxy = createProxyMeter(registers);

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
