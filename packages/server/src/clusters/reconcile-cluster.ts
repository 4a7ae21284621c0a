/**
 * Reconciling one cluster: start its scheduler, promote it to RUNNING once it reported its
 * addresses, keep its worker records at the wanted count, and finish it once it is wanted
 * stopped. Each step looks only at the record, so running it again changes nothing.
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  Job,
  isActive,
  isFinal,
  publicStatus,
  type ClusterRecord,
  type WorkerRecord,
} from './model.js';
import {
  enqueueCluster,
  enqueueWorker,
  fail,
  saveCluster,
  saveWorker,
  withTimeout,
  type ManagerState,
} from './manager-state.js';
import { observeScheduler } from './observe-backend.js';

/** Starts the scheduler of a CREATED cluster (SUBMITTED), or fails the cluster. */
export async function startScheduler(s: ManagerState, c: ClusterRecord): Promise<void> {
  const { backend, timing, faults } = s;
  // Addresses only ever come from the scheduler started here, and only it knows the new
  // token: a heartbeat still in flight from an earlier (orphaned) scheduler is refused.
  c.token = randomBytes(16).toString('hex');
  c.schedulerAddress = '';
  c.dashboardAddress = '';
  c.apiAddress = '';
  faults.reach('create.before_scheduler_spawn');
  s.events.emit(c, 'cluster.starting', 'Starting the scheduler', { backend: backend.kind });
  try {
    c.state = await withTimeout(
      s,
      backend.startCluster(c, {
        apiUrl: s.deps.apiUrl(),
        dashboardPrefix: `${s.deps.prefix}/clusters/${c.name}`,
        heartbeatPeriod: timing.heartbeatPeriod,
      }),
      timing.clusterStartTimeout,
      'starting the scheduler',
      (state) => backend.stopCluster({ ...c, state })
    );
    c.status = Job.SUBMITTED;
    faults.reach('create.scheduler_spawned');
    await saveCluster(s, c);
    faults.reach('create.scheduler_saved');
    s.accounting.started(c, null);
  } catch (err) {
    c.status = Job.SUBMITTED;
    await saveCluster(s, c);
    const reason = err instanceof Error ? err.message : String(err);
    await fail(s, c, `scheduler failed to start: ${reason}`);
  }
}

/** Routes a SUBMITTED cluster whose scheduler reported its addresses and marks it RUNNING. */
export async function promote(s: ManagerState, c: ClusterRecord): Promise<void> {
  const { clock, faults } = s;
  await s.routes.add(c);
  c.status = Job.RUNNING;
  s.runningSince.set(c.name, clock.now());
  c.lastHeartbeat = Math.max(c.lastHeartbeat, clock.now());
  faults.reach('create.promoted');
  await saveCluster(s, c);
  s.deps.observer?.clusterStarted((clock.now() - c.startTime) / 1000);
  faults.reach('create.running_saved');
  s.events.emit(c, 'cluster.running', 'Scheduler running', {}, 'scheduler');
  s.log.info({ cluster: c.name, user: c.username }, 'cluster running');
  s.waiters.wake(c.name);
}

/** Adds worker records up to the wanted count, or fails a cluster whose workers keep failing. */
export async function ensureWorkers(s: ManagerState, c: ClusterRecord): Promise<void> {
  if (c.failures >= s.timing.workerStartFailureLimit) {
    await fail(s, c, `${String(c.failures)} workers in a row failed to start`);
    return;
  }
  let wanted = 0;
  for (const w of c.workers.values()) if (w.target === Job.RUNNING && !isFinal(w.status)) wanted++;
  for (let i = wanted; i < c.count; i++) {
    const w: WorkerRecord = {
      name: randomUUID().replaceAll('-', ''),
      clusterName: c.name,
      status: Job.CREATED,
      target: Job.RUNNING,
      state: {},
      closeExpected: false,
      startTime: s.clock.now(),
      stopTime: null,
    };
    c.workers.set(w.name, w);
    await s.store.insertWorker(w);
    s.faults.reach('workers.record_inserted');
    s.events.workerRequested(c, w);
    enqueueWorker(s, w);
  }
}

/** Stops the workers, then the scheduler, of a cluster wanted stopped; ends in its target. */
export async function finishCluster(s: ManagerState, c: ClusterRecord): Promise<void> {
  const { faults } = s;
  if (c.status !== Job.CLOSING) {
    c.status = Job.CLOSING;
    await saveCluster(s, c);
    faults.reach('stop.closing_saved');
    s.waiters.wake(c.name);
  }
  let unfinished = 0;
  for (const w of c.workers.values()) {
    if (isFinal(w.status)) continue;
    unfinished++;
    if (w.target === Job.RUNNING) {
      w.target = Job.STOPPED;
      await saveWorker(s, w);
      faults.reach('stop.worker_target_saved');
    }
    enqueueWorker(s, w);
  }
  if (unfinished > 0) return; // each finished worker re-enqueues the cluster
  await s.routes.remove(c.name);
  faults.reach('stop.before_scheduler_stop');
  await s.backend.stopCluster(c);
  faults.reach('stop.scheduler_stopped');
  c.status = c.target;
  c.stopTime = s.clock.now();
  s.events.finished(c);
  await saveCluster(s, c);
  s.policy.release(c.name);
  s.runningSince.delete(c.name);
  s.accounting.stopped(c, null);
  s.log.info(
    { cluster: c.name, status: publicStatus(c), reason: c.stopReason },
    'cluster finished'
  );
  s.waiters.wake(c.name);
}

/** Moves cluster `c` one step towards its target. */
export async function reconcileCluster(s: ManagerState, c: ClusterRecord): Promise<void> {
  if (isFinal(c.status)) return;
  await observeScheduler(s, c);
  if (c.target !== Job.RUNNING) {
    await finishCluster(s, c);
    return;
  }
  if (c.status === Job.CREATED) await startScheduler(s, c);
  if (!isActive(c)) {
    enqueueCluster(s, c);
    return;
  }
  if (c.status === Job.SUBMITTED && c.schedulerAddress !== '') await promote(s, c);
  if (c.status === Job.RUNNING) await ensureWorkers(s, c);
}
