/**
 * Named fault points: places in create, scale, adapt, pool grants and stop where a test can make the gateway
 * die (SIGKILL, so no cleanup code runs) to prove that a restarted gateway converges.
 *
 * Every point is registered in `FAULT_POINTS`, the one list the fault suite, the config schema
 * and `docs/faults.md` are checked against. Production code calls `reach(point)`; only a gateway
 * started with `testing.crash_at: <point>` does anything there.
 * @module
 */

/** Every fault point, in the order a cluster's life reaches them, with what has happened. */
export const FAULT_POINTS = {
  'create.record_inserted': 'the cluster record is written; the create request has not answered',
  'create.before_scheduler_spawn': 'the reconciler is about to start the scheduler',
  'create.scheduler_spawned': 'the scheduler process runs; its pid is not saved yet',
  'create.scheduler_saved': 'the scheduler pid is saved (SUBMITTED); no heartbeat yet',
  'heartbeat.addresses_applied':
    'the first heartbeat set the scheduler addresses in memory; not saved',
  'create.promoted': 'the cluster is RUNNING in memory, its routes are added; not saved yet',
  'create.running_saved': 'RUNNING is saved; clients waiting for the start are not woken yet',
  'scale.before_command': 'a scale request was accepted; the scheduler has not been told',
  'scale.after_command': 'the scheduler took the scale request; the client has no answer yet',
  'adapt.before_command': 'an adapt request was accepted; the scheduler has not been told',
  'adapt.after_command': 'the scheduler took the adapt request; the client has no answer yet',
  'heartbeat.count_applied': 'a heartbeat changed the wanted worker count in memory; not saved',
  'heartbeat.count_saved': 'the new worker count is saved; the cluster is not queued',
  'grant.chosen': 'the pool queue granted waiting workers; the new count is in memory, not saved',
  'grant.saved': 'the count granted from the pool queue is saved; the cluster is not queued',
  'workers.record_inserted': 'a new worker record is written; the worker is not queued',
  'worker.before_spawn': 'the reconciler is about to start a worker',
  'worker.spawned': 'the worker process runs; its pid is not saved yet',
  'worker.saved': 'the worker pid is saved (SUBMITTED); it has not joined the scheduler',
  'heartbeat.worker_running': 'a heartbeat marked a worker RUNNING in memory; not saved',
  'heartbeat.worker_closed': 'a heartbeat reported a worker closed; its new target is not saved',
  'worker.before_stop': 'a worker is wanted stopped; no signal has been sent',
  'worker.stopped': 'a worker process was stopped; its record is not final yet',
  'stop.target_saved': 'a stop request is saved; no process has been signalled',
  'stop.closing_saved': 'CLOSING is saved; the workers have not been told to stop',
  'stop.worker_target_saved': 'a worker of a stopping cluster is saved as wanted stopped',
  'stop.before_scheduler_stop': 'every worker is final and the routes are removed',
  'stop.scheduler_stopped': 'the scheduler is stopped; the record is not final yet',
} as const satisfies Record<string, string>;

/** The name of one registered fault point. */
export type FaultPoint = keyof typeof FAULT_POINTS;

/** Every registered fault point name, in registration order. */
export const FAULT_POINT_NAMES = Object.keys(FAULT_POINTS) as readonly FaultPoint[];

/** Where code under test reports that it reached a fault point. */
export interface FaultPoints {
  /** Called at the named point; does nothing unless this point is armed. */
  reach(point: FaultPoint): void;
}

/** Fault points that never fire (production). */
export const noFaultPoints: FaultPoints = { reach: () => undefined };

/**
 * Fault points where `armed` (if not null) calls `fire` the first time it is reached.
 * `fire` is expected not to return (it kills the process); if it does, the point stays spent.
 */
export function createFaultPoints(
  armed: FaultPoint | null,
  fire: (point: FaultPoint) => void
): FaultPoints {
  if (armed === null) return noFaultPoints;
  let spent = false;
  return {
    reach(point) {
      if (point !== armed || spent) return;
      spent = true;
      fire(point);
    },
  };
}
