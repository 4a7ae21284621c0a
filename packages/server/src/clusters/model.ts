/**
 * The in-memory cluster and worker records and their state machine (spec §3.3, §3.4).
 *
 * Each record keeps an internal `status` and a desired `target`; the public status the client
 * sees is derived from the pair.
 * @module
 */
import type { ClusterStatus } from '@gatehouse/api';
import type { ClusterConfig } from '../cluster-options/cluster-config.js';

/** Internal job states shared by clusters and workers. */
export const Job = {
  CREATED: 1,
  SUBMITTED: 2,
  RUNNING: 3,
  CLOSING: 4,
  STOPPED: 5,
  FAILED: 6,
} as const;

/** One internal job state. */
export type JobStatus = (typeof Job)[keyof typeof Job];

/** Parses a stored integer back into a job state. */
export function toJobStatus(n: number): JobStatus {
  if (n >= 1 && n <= 6 && Number.isInteger(n)) return n as JobStatus;
  throw new Error(`invalid stored job status ${String(n)}`);
}

/** Whether a job reached a final state. */
export function isFinal(s: JobStatus): boolean {
  return s === Job.STOPPED || s === Job.FAILED;
}

/** Identity of a process the backend started, enough to re-verify it after a restart. */
export interface ProcessRef {
  readonly pid: number;
  /** Start time in clock ticks since boot (`/proc/<pid>/stat` field 22). */
  readonly startTicks: number;
}

declare const backendOwned: unique symbol;

/**
 * What a backend remembers about a started scheduler or worker: a versioned JSON object only
 * that backend encodes and decodes (`{v: 1, ...}`; see backends/backend-state.ts). The
 * reconciler and the store carry it without reading it.
 */
export interface BackendState {
  /** Never set: only makes the blob's fields unreadable here (`{}` is the empty blob). */
  readonly [backendOwned]?: never;
}

/** One worker of a cluster. */
export interface WorkerRecord {
  readonly name: string;
  readonly clusterName: string;
  status: JobStatus;
  target: JobStatus;
  state: BackendState;
  closeExpected: boolean;
  readonly startTime: number;
  stopTime: number | null;
  /** The stored row's version (compare-and-set); set by the store on insert and load. */
  version?: number;
}

/**
 * Why a cluster failed, observed apart from its status and target (issue 15): the reason, the
 * evidence seen (bounded: the end of the scheduler's last output), and when, in clock ms.
 */
export interface ClusterFailure {
  readonly reason: string;
  readonly evidence: string | null;
  readonly at: number;
}

/** One cluster. */
export interface ClusterRecord {
  readonly name: string;
  readonly username: string;
  readonly options: Readonly<Record<string, unknown>>;
  readonly config: ClusterConfig;
  status: JobStatus;
  target: JobStatus;
  count: number;
  state: BackendState;
  /** Authenticates the scheduler to the API; a new one for every scheduler started. */
  token: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
  schedulerAddress: string;
  dashboardAddress: string;
  apiAddress: string;
  readonly startTime: number;
  stopTime: number | null;
  stopReason: string | null;
  /** Consecutive worker start failures. */
  failures: number;
  /** The observed failure condition, set when a failure sets the target to FAILED. */
  failure: ClusterFailure | null;
  /** Adaptive bounds while adaptive scaling is on, else null or absent (not persisted). */
  adaptive?: { minimum: number; maximum: number | null } | null;
  /** Last heartbeat, in clock milliseconds (not persisted). */
  lastHeartbeat: number;
  readonly workers: Map<string, WorkerRecord>;
  /** The stored row's version (compare-and-set); set by the store on insert and load. */
  version?: number;
}

/** The public status derived from a cluster's (status, target) pair (spec §3.3). */
export function publicStatus(c: Pick<ClusterRecord, 'status' | 'target'>): ClusterStatus {
  if (c.status === Job.STOPPED) return 'STOPPED';
  if (c.status === Job.FAILED) return 'FAILED';
  if (c.target === Job.STOPPED || c.target === Job.FAILED || c.status === Job.CLOSING) {
    return 'STOPPING';
  }
  return c.status === Job.RUNNING ? 'RUNNING' : 'PENDING';
}

/** Whether a cluster is wanted running (listed by default). */
export function isActive(c: Pick<ClusterRecord, 'target'>): boolean {
  return c.target <= Job.RUNNING;
}

/** A new worker record of cluster `c`, wanted running and not started yet (CREATED). */
export function newWorker(c: Pick<ClusterRecord, 'name'>, name: string, now: number): WorkerRecord {
  return {
    name,
    clusterName: c.name,
    status: Job.CREATED,
    target: Job.RUNNING,
    state: {},
    closeExpected: false,
    startTime: now,
    stopTime: null,
  };
}
