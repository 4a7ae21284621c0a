/**
 * What the reconciler learns from the backend, and only through `observe`: a wanted-running
 * scheduler that ended or vanished fails its cluster; a submitted worker that ended or vanished
 * before reaching its scheduler is a start failure (it is replaced). A backend's notice of a
 * change only enqueues the cluster and worker named, so a lost notice costs a resync period,
 * never a decision.
 * @module
 */
import type { BackendChange, Observation } from '../backends/backend.js';
import { Job, isFinal, type ClusterRecord, type WorkerRecord } from './model.js';
import {
  enqueueCluster,
  enqueueWorker,
  fail,
  lastOutput,
  logTail,
  saveCluster,
  saveWorker,
  type ManagerState,
} from './manager-state.js';

/** Why an observation means the process is gone, or null while it is queued or running. */
function gone(o: Observation, what: string): string | null {
  if (o.phase === 'exited') return `${what} exited (${o.how})`;
  if (o.phase === 'absent') return `the ${what} process is gone`;
  return null;
}

/**
 * Fails a wanted-running cluster whose submitted or running scheduler the backend sees ended;
 * resolves to whether it did.
 */
export async function observeScheduler(s: ManagerState, c: ClusterRecord): Promise<boolean> {
  if (c.target !== Job.RUNNING || (c.status !== Job.SUBMITTED && c.status !== Job.RUNNING)) {
    return false;
  }
  const why = gone(s.backend.observe(c, null), 'scheduler');
  if (why === null) return false;
  await fail(s, c, `${why}${lastOutput(logTail(s, c, null, 20))}`);
  return true;
}

/**
 * Marks failed (to be replaced) a wanted-running submitted worker the backend sees ended;
 * resolves to whether it did. A running worker's end is reported by the scheduler's heartbeat.
 */
export async function observeWorker(
  s: ManagerState,
  c: ClusterRecord,
  w: WorkerRecord
): Promise<boolean> {
  if (w.status !== Job.SUBMITTED || w.target !== Job.RUNNING || c.target !== Job.RUNNING) {
    return false;
  }
  const o = s.backend.observe(c, w);
  const why = gone(o, 'worker');
  if (why === null) return false;
  s.events.workerFailing(
    w,
    o.phase === 'exited' ? `exited (${o.how}) before connecting to the scheduler` : why
  );
  w.target = Job.FAILED;
  c.failures++;
  await Promise.all([saveWorker(s, w), saveCluster(s, c)]);
  return true;
}

/** A backend's notice: reconcile what it names now (the decision comes from `observe`). */
export function onBackendChange(s: ManagerState, change: BackendChange): void {
  // After shutdown the store is closed; a restarted gateway observes everything anyway.
  if (s.stopping) return;
  const c = s.clusters.get(change.clusterName);
  if (c === undefined || isFinal(c.status)) return;
  enqueueCluster(s, c);
  const w = change.workerName === null ? undefined : c.workers.get(change.workerName);
  if (w !== undefined && !isFinal(w.status)) enqueueWorker(s, w);
}
