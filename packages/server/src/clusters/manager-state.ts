/**
 * The cluster manager's shared mutable state, in one explicit object passed to each part
 * (reconcile, sweeps, adoption, commands), and the small write/enqueue/stop helpers they share.
 * @module
 */
import { noFaultPoints, type FaultPoints } from '../faults/fault-points.js';
import { noEvents } from '../events/event-recorder.js';
import { createClusterEvents } from './cluster-events.js';
import { Job, type ClusterRecord, type WorkerRecord } from './model.js';
import { createOrphanTracker } from './orphans.js';
import { createWaiters, type Waiters } from './waiters.js';
import { createWorkQueue, type WorkQueue } from './work-queue.js';
import type { ClusterManagerDeps, ProcessAccounting, WorkerPolicy } from './manager-deps.js';

const noPolicy: WorkerPolicy = {
  limitWorkers: (_c, requested) => ({ count: requested, msg: null }),
  release: () => undefined,
};
const noAccounting: ProcessAccounting = { started: () => undefined, stopped: () => undefined };

/** Everything the manager's parts read and change, with the optional deps defaulted. */
export interface ManagerState extends Pick<
  ClusterManagerDeps,
  'store' | 'backend' | 'routes' | 'clock' | 'log' | 'timing'
> {
  readonly deps: ClusterManagerDeps;
  readonly policy: WorkerPolicy;
  readonly accounting: ProcessAccounting;
  readonly faults: FaultPoints;
  readonly events: ReturnType<typeof createClusterEvents>;
  readonly orphanTracker: ReturnType<typeof createOrphanTracker>;
  /** Every known cluster record, by name. */
  readonly clusters: Map<string, ClusterRecord>;
  /** When each cluster became RUNNING (or was re-adopted), for the no-client timeout. */
  readonly runningSince: Map<string, number>;
  /** Last queue reason reported per scheduler (`c/<name>`) or worker (`w/<cluster>/<name>`). */
  readonly queueReasons: Map<string, string>;
  /** Clusters whose logs the retention sweep already removed. */
  readonly logsRemoved: Set<string>;
  readonly waiters: Waiters;
  readonly queue: WorkQueue;
  readonly timers: NodeJS.Timeout[];
  /** Set once shutdown began (the store may close soon). */
  stopping: boolean;
  /** Set once start-up adoption is done; heartbeats wait for it. */
  started: boolean;
}

/** Builds the state; `run` reconciles one queue key (`c/<cluster>` or `w/<cluster>/<worker>`). */
export function createManagerState(
  deps: ClusterManagerDeps,
  run: (s: ManagerState, key: string) => Promise<void>
): ManagerState {
  const { backend, timing, log } = deps;
  const queue = createWorkQueue((key) => run(state, key), {
    parallelism: timing.parallelism,
    onError: (key, err) => {
      log.error({ err, key }, 'reconcile failed; retrying with backoff');
    },
  });
  const state: ManagerState = {
    deps,
    store: deps.store,
    backend,
    routes: deps.routes,
    clock: deps.clock,
    log,
    timing,
    policy: deps.policy ?? noPolicy,
    accounting: deps.accounting ?? noAccounting,
    faults: deps.faults ?? noFaultPoints,
    events: createClusterEvents(
      deps.events ?? noEvents,
      (c, w, lines) => backend.logs?.tail(c, w, lines) ?? ''
    ),
    orphanTracker: createOrphanTracker((item, state) => backend.claims(item, state)),
    clusters: new Map(),
    runningSince: new Map(),
    queueReasons: new Map(),
    logsRemoved: new Set(),
    waiters: createWaiters(),
    queue,
    timers: [],
    stopping: false,
    started: false,
  };
  return state;
}

/** Writes a cluster record through to the store. */
export const saveCluster = (s: ManagerState, c: ClusterRecord) => s.store.saveCluster(c);

/** Writes a worker record through to the store, recording its status change as an event. */
export function saveWorker(s: ManagerState, w: WorkerRecord): Promise<void> {
  const c = s.clusters.get(w.clusterName);
  if (c !== undefined) s.events.workerSaved(c, w);
  return s.store.saveWorker(w);
}

/** Queues a reconcile of cluster `c`. */
export function enqueueCluster(s: ManagerState, c: ClusterRecord): void {
  s.queue.enqueue(`c/${c.name}`);
}

/** Queues a reconcile of worker `w`. */
export function enqueueWorker(s: ManagerState, w: WorkerRecord): void {
  s.queue.enqueue(`w/${w.clusterName}/${w.name}`);
}

/** Sets the target of a wanted-running cluster to a final state; no-op otherwise. */
export async function requestStop(
  s: ManagerState,
  c: ClusterRecord,
  target: typeof Job.STOPPED | typeof Job.FAILED,
  reason: string,
  actor: string | null = null
): Promise<void> {
  if (c.target > Job.RUNNING) return;
  c.target = target;
  c.stopReason = reason;
  s.events.stopping(c, actor);
  s.log.info(
    { cluster: c.name, target: target === Job.FAILED ? 'FAILED' : 'STOPPED', reason },
    'stopping cluster'
  );
  await saveCluster(s, c);
  s.faults.reach('stop.target_saved');
  s.waiters.wake(c.name);
  enqueueCluster(s, c);
}

/** Sets the target of a wanted-running cluster to FAILED with `reason` (spec §3.3). */
export const fail = (s: ManagerState, c: ClusterRecord, reason: string) =>
  requestStop(s, c, Job.FAILED, reason);

/** The last `lines` lines of the scheduler's (`w` null) or worker's output; '' without logs. */
export function logTail(
  s: ManagerState,
  c: ClusterRecord,
  w: WorkerRecord | null,
  lines: number
): string {
  return s.backend.logs?.tail(c, w, lines) ?? '';
}

/** `tail` as a failure message suffix ("; last output:\n…"), or '' when empty. */
export function lastOutput(tail: string): string {
  return tail === '' ? '' : `; last output:\n${tail}`;
}

/**
 * Races `p` against a timeout. When the timeout wins and `p` still resolves later, `onLate`
 * gets the value (a process started too late is stopped, never left unrecorded).
 */
export async function withTimeout<T>(
  s: ManagerState,
  p: Promise<T>,
  seconds: number,
  what: string,
  onLate: (value: T) => Promise<void>
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          // `p` is still pending here (a settled race clears the timer first).
          p.then(onLate).catch((err: unknown) => {
            s.log.error({ err }, `cleaning up after ${what} failed`);
          });
          reject(new Error(`${what} timed out after ${String(seconds)} s`));
        }, seconds * 1000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
