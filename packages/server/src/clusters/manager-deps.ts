/**
 * What the cluster manager is built from and what it offers: its dependencies, the ports it
 * calls out through (routes, policy, accounting, metrics) and the `ClusterManager` interface.
 * @module
 */
import type { Logger } from 'pino';
import type { Heartbeat, ScaleResult } from '@gatehouse/api';
import type { Backend, BackendChange } from '../backends/backend.js';
import type { FaultPoints } from '../faults/fault-points.js';
import type { Clock } from '../clock.js';
import type { ResolvedTiming } from '../config/load.js';
import type { ClusterStore } from '../store/cluster-store.js';
import type { ClusterConfig } from '../cluster-options/cluster-config.js';
import type { EventSink } from '../events/event-recorder.js';
import type { ClusterRecord, WorkerRecord } from './model.js';

/** Where the proxy must send a running cluster's traffic. */
export interface ClusterRoutes {
  /** Routes `c`'s scheduler and dashboard; a promise settles once the proxy has them. */
  add(c: ClusterRecord): void | Promise<void>;
  remove(name: string): void | Promise<void>;
}

/** Limits on worker counts beyond a cluster's own (quotas, the shared pool). */
export interface WorkerPolicy {
  /**
   * The count allowed for `c` (≤ requested) and a message when clamped. `reserve` books the
   * room (an accepted scale), `observe` follows a heartbeat's count, `check` books nothing.
   */
  limitWorkers(
    c: ClusterRecord,
    requested: number,
    mode: 'reserve' | 'check' | 'observe'
  ): { count: number; msg: string | null; wanted?: number };
  /** Forgets what `name` had reserved. */
  release(name: string): void;
  /** Sets who is told when workers waiting for the pool are granted (`count` in all). */
  onGrant?(listener: (c: ClusterRecord, granted: PoolGrant) => void): void;
  /** Reads what orders the queue (before a scale, so its answer names the right place). */
  refreshUsage?(): Promise<void>;
  /** Grants what fits to the clusters waiting for the pool (after start-up adoption). */
  settle?(): Promise<void>;
}

/** Workers granted to a cluster that waited for the pool. */
export interface PoolGrant {
  /** Its worker count now. */
  readonly count: number;
  /** All it wants. */
  readonly wanted: number;
  /** Its place in the queue for the rest, or null when nothing waits. */
  readonly position: number | null;
}

/** Told when scheduler and worker processes start and stop (usage accounting). */
export interface ProcessAccounting {
  started(c: ClusterRecord, w: WorkerRecord | null): void;
  stopped(c: ClusterRecord, w: WorkerRecord | null): void;
}

/** Told about timings of the reconciler (metrics). */
export interface ManagerObserver {
  /** A newly created cluster reached RUNNING after `seconds`. */
  clusterStarted(seconds: number): void;
  /** A heartbeat arrived `seconds` after the cluster's previous one. */
  heartbeat(seconds: number): void;
}

/** What the manager is built from. */
export interface ClusterManagerDeps {
  readonly store: ClusterStore;
  readonly backend: Backend;
  readonly routes: ClusterRoutes;
  readonly clock: Clock;
  readonly log: Logger;
  readonly timing: ResolvedTiming;
  readonly stopClustersOnShutdown: boolean;
  /** URL path prefix of the HTTP side (e.g. '' or '/gw'). */
  readonly prefix: string;
  /** URL schedulers reach the API at; known once the gateway listens. */
  readonly apiUrl: () => string;
  /** Makes the TLS material of a new cluster. */
  readonly createTls: (name: string) => Promise<{ cert: string; key: string }>;
  readonly policy?: WorkerPolicy;
  /** Client connections per cluster (for the no-client timeout). */
  readonly clients?: { idleSince(cluster: string): number | null | undefined };
  readonly accounting?: ProcessAccounting;
  readonly observer?: ManagerObserver;
  /** Named points where a test can make the gateway die (see faults/fault-points.ts). */
  readonly faults?: FaultPoints;
  /** Where cluster and worker events are recorded. */
  readonly events?: EventSink;
  /** Log rotation period and retention after a cluster ends (seconds). */
  readonly logs?: { readonly rotatePeriod: number; readonly retention: number };
  /**
   * Called by each cleanup sweep with the names of the cluster records it deleted and the
   * cut-off time (ms) it used, to delete what belongs to them.
   */
  readonly onCleanup?: (deleted: readonly string[], before: number) => Promise<void>;
}

/** Why a cluster was asked to stop. */
export type StopReason = string;

/** A request to turn adaptive scaling on or off. */
export interface AdaptRequest {
  minimum: number | null;
  maximum: number | null;
  active: boolean;
}

/** The cluster manager: the reconciler's public face to the API and the gateway. */
export interface ClusterManager {
  /** Feeds the backend's notices of change (the named cluster and worker are reconciled). */
  onBackendChange(change: BackendChange): void;
  /** Loads records from the store, re-adopts live clusters and starts the sweeps. */
  start(): Promise<void>;
  /** Stops the sweeps; stops every cluster first if configured to. */
  shutdown(): Promise<void>;
  /** Waits until no reconcile work is pending (tests). */
  idle(): Promise<void>;
  get(name: string): ClusterRecord | undefined;
  /** The last `lines` lines of the scheduler's (or worker `w`'s) output ('' without logs). */
  logTail(c: ClusterRecord, w: WorkerRecord | null, lines: number): Promise<string>;
  /** The whole kept output of the scheduler (or worker `w`), rotated copies included. */
  logFull(c: ClusterRecord, w: WorkerRecord | null): Promise<string>;
  /** Every cluster record (admins, policy). */
  all(): IterableIterator<ClusterRecord>;
  /** A user's clusters: active ones, or those whose public status is in `statuses`. */
  list(username: string, statuses: ReadonlySet<string> | null): ClusterRecord[];
  /**
   * Creates a cluster record and starts it in the background; `onListed` runs as soon as the
   * record is in the cluster list (the caller's quota reservation ends there).
   */
  create(
    username: string,
    options: Record<string, unknown>,
    config: ClusterConfig,
    onListed?: () => void
  ): Promise<ClusterRecord>;
  /** Waits up to 20 s for the cluster to run or to begin stopping. */
  waitForChange(c: ClusterRecord): Promise<void>;
  /** Asks a cluster to stop (user or cluster-token DELETE); `actor` who asked, if a user. */
  stop(c: ClusterRecord, reason: StopReason, actor?: string | null): Promise<void>;
  /** Runs the cleanup sweep now (tests; the sweep also runs every `db_cleanup_period`). */
  cleanup(): Promise<void>;
  /** Re-enqueues every unfinished cluster and worker now (the resync timer's work). */
  resync(): void;
  /** Applies a heartbeat from the cluster's scheduler. */
  heartbeat(c: ClusterRecord, hb: Heartbeat): Promise<void>;
  /** Forwards a scale request to the scheduler, clamped to the cluster's limits. */
  scale(c: ClusterRecord, count: number, actor: string): Promise<ScaleResult>;
  /** Forwards an adapt request to the scheduler, clamped to the cluster's limits. */
  adapt(c: ClusterRecord, req: AdaptRequest, actor: string): Promise<ScaleResult>;
}
