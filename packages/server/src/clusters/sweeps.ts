/**
 * The manager's periodic sweeps: what no event reports. Start, queue and heartbeat timeouts,
 * lifetime and idle limits, queued-job notices, log rotation, retention cleanup, and the resync
 * that re-enqueues every unfinished record (each reconcile observes its processes, so a lost
 * backend notice is repaired there).
 * @module
 */
import { Job, isFinal, type ClusterRecord, type WorkerRecord } from './model.js';
import {
  enqueueCluster,
  enqueueWorker,
  fail,
  lastOutput,
  logTail,
  requestStop,
  saveWorker,
  type ManagerState,
} from './manager-state.js';

/**
 * Why a submitted scheduler (`w` null) or worker is overdue, or null. Start timeouts count
 * from when its job started running; a job still queued is judged by the queue timeout.
 */
export function overdue(
  s: ManagerState,
  c: ClusterRecord,
  w: WorkerRecord | null,
  now: number
): string | null {
  const { backend, timing } = s;
  const queueTimeout = backend.queueTimeout ?? Infinity;
  const what = w === null ? 'scheduler' : 'worker';
  const phase = backend.observe(c, w);
  if (phase.phase === 'queued') {
    return now - phase.since > queueTimeout * 1000
      ? `the ${what} job waited in the queue for more than ${String(queueTimeout)} s (reason: ${phase.reason})`
      : null;
  }
  const since =
    (phase.phase === 'running' ? phase.since : null) ?? (w === null ? c.startTime : w.startTime);
  const limit = w === null ? timing.clusterStartTimeout : timing.workerStartTimeout;
  if (now - since <= limit * 1000) return null;
  if (w !== null) return `did not connect to the scheduler within ${String(limit)} s`;
  const tail = logTail(s, c, null, 20);
  return `scheduler did not report its addresses within ${String(limit)} s${lastOutput(tail)}`;
}

/** Reports the queue reason of one submitted job, once per reason. */
function noteQueued(s: ManagerState, c: ClusterRecord, w: WorkerRecord | null): void {
  const key = w === null ? `c/${c.name}` : `w/${c.name}/${w.name}`;
  const phase = s.backend.observe(c, w);
  if (phase.phase !== 'queued') {
    s.queueReasons.delete(key);
    return;
  }
  if (s.queueReasons.get(key) === phase.reason) return;
  s.queueReasons.set(key, phase.reason);
  s.log.info({ cluster: c.name, worker: w?.name, reason: phase.reason }, 'job queued');
  const what = w === null ? 'Scheduler' : `Worker ${w.name}`;
  s.events.emit(
    c,
    w === null ? 'cluster.queued' : 'worker.queued',
    `${what} waits in the queue (${phase.reason})`,
    { reason: phase.reason },
    'gatehouse',
    w
  );
}

/** Reports jobs that wait in the queue, once per reason. */
export function reportQueues(s: ManagerState): void {
  for (const c of s.clusters.values()) {
    if (c.target !== Job.RUNNING || isFinal(c.status)) continue;
    if (c.status === Job.SUBMITTED) noteQueued(s, c, null);
    for (const w of c.workers.values()) {
      if (w.status === Job.SUBMITTED && w.target === Job.RUNNING) noteQueued(s, c, w);
      else s.queueReasons.delete(`w/${c.name}/${w.name}`);
    }
  }
}

/** Milliseconds the running cluster `c` has had no client connected. */
function noClientFor(s: ManagerState, c: ClusterRecord, now: number): number {
  const idle = s.deps.clients?.idleSince(c.name);
  if (idle === null) return 0;
  const since = Math.max(idle ?? 0, s.runningSince.get(c.name) ?? now);
  return now - since;
}

/** Gives up on the submitted workers of `c` that are overdue. */
async function sweepWorkerTimeouts(s: ManagerState, c: ClusterRecord, now: number): Promise<void> {
  for (const w of c.workers.values()) {
    if (w.status !== Job.SUBMITTED || w.target !== Job.RUNNING) continue;
    const why = overdue(s, c, w, now);
    if (why !== null) {
      s.log.warn({ cluster: c.name, worker: w.name, reason: why }, 'worker given up');
      s.events.workerFailing(w, why);
      w.target = Job.FAILED;
      await saveWorker(s, w);
      enqueueWorker(s, w);
    }
  }
}

/** Stops or fails the clusters that ran out of time; gives up on overdue workers. */
export async function sweepTimeouts(s: ManagerState): Promise<void> {
  const now = s.clock.now();
  const { timing } = s;
  for (const c of s.clusters.values()) {
    if (c.target !== Job.RUNNING || isFinal(c.status)) continue;
    const late = c.status === Job.SUBMITTED ? overdue(s, c, null, now) : null;
    if (late !== null) {
      await fail(s, c, late);
    } else if (c.status === Job.RUNNING && now - c.lastHeartbeat > timing.heartbeatTimeout * 1000) {
      await fail(s, c, `no heartbeat from the scheduler for ${String(timing.heartbeatTimeout)} s`);
    } else if (c.config.max_lifetime !== null && now - c.startTime > c.config.max_lifetime * 1000) {
      await requestStop(s, c, Job.STOPPED, 'lifetime');
    } else if (
      c.status === Job.RUNNING &&
      noClientFor(s, c, now) > (c.config.no_client_timeout ?? Infinity) * 1000
    ) {
      await requestStop(s, c, Job.STOPPED, 'no client');
    } else if (c.status === Job.RUNNING) {
      await sweepWorkerTimeouts(s, c, now);
    }
  }
}

/**
 * Re-enqueues every unfinished cluster and worker, so that a missed event is repaired: the
 * reconcile functions only compare records with their targets, so an extra pass is harmless.
 */
export function resync(s: ManagerState): void {
  for (const c of s.clusters.values()) {
    if (isFinal(c.status)) continue;
    enqueueCluster(s, c);
    for (const w of c.workers.values()) if (!isFinal(w.status)) enqueueWorker(s, w);
  }
}

/** Re-enqueues every unfinished worker of an unfinished cluster (each observes its process). */
export function resyncWorkers(s: ManagerState): void {
  for (const c of s.clusters.values()) {
    if (isFinal(c.status)) continue;
    for (const w of c.workers.values()) if (!isFinal(w.status)) enqueueWorker(s, w);
  }
}

/** Rotates the process logs of unfinished clusters. */
export function rotateLogs(s: ManagerState): void {
  const logs = s.backend.logs;
  for (const c of s.clusters.values()) if (!isFinal(c.status)) logs?.rotate?.(c);
}

/** Removes logs past their retention and deletes finished records past `cluster_max_age`. */
export async function cleanup(s: ManagerState): Promise<void> {
  const now = s.clock.now();
  const retention = s.deps.logs?.retention ?? s.timing.clusterMaxAge;
  for (const c of s.clusters.values()) {
    if (c.stopTime === null || !isFinal(c.status) || s.logsRemoved.has(c.name)) continue;
    if (now - c.stopTime > retention * 1000) {
      s.backend.logs?.remove?.(c.name);
      s.logsRemoved.add(c.name);
    }
  }
  const before = now - s.timing.clusterMaxAge * 1000;
  const deleted = await s.store.deleteFinishedBefore(before);
  for (const name of deleted) {
    s.clusters.delete(name);
    s.logsRemoved.delete(name);
  }
  if (deleted.length > 0) s.log.info({ count: deleted.length }, 'deleted finished cluster records');
  await s.deps.onCleanup?.(deleted, before);
}
