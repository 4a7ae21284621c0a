/**
 * Reconciling one worker: observe it (an ended submitted worker is a start failure), start it
 * while its cluster runs, and stop it once it is wanted stopped.
 * @module
 */
import { Job, isFinal, type ClusterRecord, type WorkerRecord } from './model.js';
import { observeWorker } from './observe-backend.js';
import {
  enqueueCluster,
  saveCluster,
  saveWorker,
  withTimeout,
  type ManagerState,
} from './manager-state.js';

/**
 * Starts a CREATED worker of a running cluster (SUBMITTED) and resolves to true; a failure
 * marks it FAILED and resolves to false.
 */
async function startWorker(s: ManagerState, c: ClusterRecord, w: WorkerRecord): Promise<boolean> {
  const { backend, faults } = s;
  faults.reach('worker.before_spawn');
  try {
    w.state = await withTimeout(
      s,
      backend.startWorker(c, w, s.deps.apiUrl()),
      s.timing.workerStartTimeout,
      'starting a worker',
      (state) => backend.stopWorker(c, { ...w, state })
    );
    w.status = Job.SUBMITTED;
    faults.reach('worker.spawned');
    await saveWorker(s, w);
    faults.reach('worker.saved');
    s.accounting.started(c, w);
    return true;
  } catch (err) {
    s.log.warn({ err, cluster: c.name, worker: w.name }, 'worker failed to start');
    s.events.workerFailing(
      w,
      `failed to start: ${err instanceof Error ? err.message : String(err)}`
    );
    w.target = Job.FAILED;
    c.failures++;
    await saveCluster(s, c);
    return false;
  }
}

/** Stops a worker wanted stopped and records its final status. */
async function stopWorker(s: ManagerState, c: ClusterRecord, w: WorkerRecord): Promise<void> {
  s.faults.reach('worker.before_stop');
  await s.backend.stopWorker(c, w);
  s.faults.reach('worker.stopped');
  w.status = w.target;
  w.stopTime = s.clock.now();
  await saveWorker(s, w);
  s.accounting.stopped(c, w);
  enqueueCluster(s, c);
}

/** Moves worker `w` of cluster `c` one step towards its target. */
export async function reconcileWorker(
  s: ManagerState,
  c: ClusterRecord,
  w: WorkerRecord
): Promise<void> {
  if (isFinal(w.status)) return;
  await observeWorker(s, c, w);
  if (w.target === Job.RUNNING && w.status === Job.CREATED) {
    if (c.status !== Job.RUNNING || c.target !== Job.RUNNING) return;
    if (await startWorker(s, c, w)) return;
  }
  if (w.target !== Job.RUNNING) await stopWorker(s, c, w);
}
