/**
 * Applies one scheduler heartbeat to a cluster's records (spec §5.4). Pure: it mutates the
 * records and reports what changed, and the manager persists and reconciles.
 * @module
 */
import type { Heartbeat } from '@gatehouse/api';
import { Job, isFinal, type ClusterRecord, type WorkerRecord } from './model.js';

/** What a heartbeat changed. */
export interface HeartbeatOutcome {
  /** The cluster record changed and must be saved. */
  readonly clusterChanged: boolean;
  /** Addresses were recorded or the count changed: the cluster must be reconciled. */
  readonly reconcileCluster: boolean;
  /** Workers whose records changed (save them). */
  readonly changedWorkers: readonly WorkerRecord[];
  /** Workers whose target changed (reconcile them). */
  readonly workersToReconcile: readonly WorkerRecord[];
  /** The count the scheduler asked for, before clamping (for logging a clamp). */
  readonly requestedCount: number;
}

/** Takes the addresses of a not-yet-running cluster from `hb`; whether any changed. */
function applyAddresses(c: ClusterRecord, hb: Heartbeat): boolean {
  if (
    c.schedulerAddress === hb.scheduler_address &&
    c.dashboardAddress === hb.dashboard_address &&
    c.apiAddress === hb.api_address
  ) {
    return false;
  }
  c.schedulerAddress = hb.scheduler_address;
  c.dashboardAddress = hb.dashboard_address;
  c.apiAddress = hb.api_address;
  return true;
}

/** Sets the wanted worker count from `requested`, capped at `maxWorkers`; whether it changed. */
function applyCount(c: ClusterRecord, requested: number, maxWorkers: number | null): boolean {
  const count = maxWorkers === null ? requested : Math.min(requested, maxWorkers);
  if (count === c.count) return false;
  c.count = count;
  return true;
}

/**
 * Applies `hb` to `c`. `maxWorkers` is the effective cluster_max_workers (null = unlimited).
 * The caller has already checked the cluster token and that the cluster is wanted running.
 */
export function applyHeartbeat(
  c: ClusterRecord,
  hb: Heartbeat,
  now: number,
  maxWorkers: number | null
): HeartbeatOutcome {
  c.lastHeartbeat = now;
  let clusterChanged = false;
  let reconcileCluster = false;
  if (c.status < Job.RUNNING) {
    clusterChanged = applyAddresses(c, hb);
    reconcileCluster = true;
  }
  if (applyCount(c, hb.count, maxWorkers)) {
    clusterChanged = true;
    reconcileCluster = true;
  }

  const seen = applyWorkerSets(c, hb);
  const { changed, toReconcile, anyStarted } = seen;
  stopExcessPending(c, seen.active, seen.pending, changed, toReconcile);

  if (anyStarted && c.failures !== 0) {
    c.failures = 0;
    clusterChanged = true;
  }
  return {
    clusterChanged,
    reconcileCluster,
    changedWorkers: [...changed],
    workersToReconcile: [...toReconcile],
    requestedCount: hb.count,
  };
}

/** What the heartbeat's worker sets changed, and which unreported workers are still wanted. */
interface WorkerSetsOutcome {
  readonly active: ReadonlySet<string>;
  readonly changed: Set<WorkerRecord>;
  readonly toReconcile: Set<WorkerRecord>;
  /** Unfinished workers wanted running that the scheduler does not list. */
  readonly pending: WorkerRecord[];
  /** Whether any worker was seen running for the first time. */
  readonly anyStarted: boolean;
}

/** Marks workers running, closing or closed as the heartbeat's sets say. */
function applyWorkerSets(c: ClusterRecord, hb: Heartbeat): WorkerSetsOutcome {
  const active = new Set(hb.active_workers);
  const closing = new Set(hb.closing_workers);
  const closed = new Set(hb.closed_workers);
  const changed = new Set<WorkerRecord>();
  const toReconcile = new Set<WorkerRecord>();
  const pending: WorkerRecord[] = [];
  let anyStarted = false;
  const markRunning = (w: WorkerRecord) => {
    if (w.status === Job.RUNNING) return;
    w.status = Job.RUNNING;
    anyStarted = true;
    changed.add(w);
  };
  for (const w of c.workers.values()) {
    if (isFinal(w.status)) continue;
    if (closing.has(w.name)) {
      markRunning(w);
      if (!w.closeExpected) {
        w.closeExpected = true;
        changed.add(w);
      }
    } else if (active.has(w.name)) {
      markRunning(w);
    } else if (closed.has(w.name)) {
      if (w.target === Job.RUNNING) {
        w.target = w.closeExpected ? Job.STOPPED : Job.FAILED;
        changed.add(w);
        toReconcile.add(w);
      }
    } else if (w.target === Job.RUNNING) {
      pending.push(w);
    }
  }
  return { active, changed, toReconcile, pending, anyStarted };
}

/** Stops pending workers beyond the wanted count, those not yet submitted first. */
function stopExcessPending(
  c: ClusterRecord,
  active: ReadonlySet<string>,
  pending: readonly WorkerRecord[],
  changed: Set<WorkerRecord>,
  toReconcile: Set<WorkerRecord>
): void {
  let excess = active.size + pending.length - c.count;
  if (excess <= 0) return;
  const order = [
    ...pending.filter((w) => w.status === Job.CREATED),
    ...pending.filter((w) => w.status !== Job.CREATED),
  ];
  for (const w of order) {
    if (excess <= 0) break;
    w.target = Job.STOPPED;
    changed.add(w);
    toReconcile.add(w);
    excess--;
  }
}
