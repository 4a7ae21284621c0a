/**
 * The cluster manager: a level-triggered reconciler over cluster and worker records.
 *
 * Requests and heartbeats only change desired state (`target`, `count`) and enqueue a key;
 * the reconcile functions compare desired state with what is running and ask the backend to
 * close the gap. Background sweeps catch what no event reports (timeouts, dead processes,
 * retention). Records are written through to the store at every change.
 * @module
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Heartbeat, ScaleResult } from '@gatehouse/api';
import type { Backend, ProcessExit } from '../backends/backend.js';
import { noFaultPoints, type FaultPoints } from '../faults/fault-points.js';
import type { Clock } from '../clock.js';
import type { ResolvedTiming } from '../config/load.js';
import type { ClusterStore } from '../store/cluster-store.js';
import type { ClusterConfig } from '../cluster-options/cluster-config.js';
import { effectiveMaxWorkers, clampScale, clampAdapt } from '../cluster-options/limits.js';
import { GatewayError } from '../errors.js';
import { applyHeartbeat } from './heartbeat.js';
import {
  Job,
  isActive,
  isFinal,
  publicStatus,
  type ClusterRecord,
  type WorkerRecord,
} from './model.js';
import { createOrphanTracker } from './orphans.js';
import { createWaiters } from './waiters.js';
import { createWorkQueue, type WorkQueue } from './work-queue.js';
import { sendSchedulerCommand, type SchedulerCommand } from './scheduler-api.js';
import { noEvents, type EventSink } from '../events/event-recorder.js';
import { createClusterEvents } from './cluster-events.js';

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
  ): { count: number; msg: string | null };
  /** Forgets what `name` had reserved. */
  release(name: string): void;
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

const noPolicy: WorkerPolicy = {
  limitWorkers: (_c, requested) => ({ count: requested, msg: null }),
  release: () => undefined,
};
const noAccounting: ProcessAccounting = { started: () => undefined, stopped: () => undefined };

/** Why a cluster was asked to stop. */
export type StopReason = string;

const WAIT_MS = 20_000;
/** How long a shutdown waits for stops already asked for (SIGTERM, then SIGKILL, fit easily). */
const SHUTDOWN_STOP_GRACE_MS = 30_000;

/** Creates the manager; call `start()` to load records and begin reconciling. */
export function createClusterManager(deps: ClusterManagerDeps) {
  const { store, backend, routes, clock, log, timing } = deps;
  const policy = deps.policy ?? noPolicy;
  const accounting = deps.accounting ?? noAccounting;
  const faults = deps.faults ?? noFaultPoints;
  const orphanTracker = createOrphanTracker();
  const sink = deps.events ?? noEvents;
  const events = createClusterEvents(sink, (c, w, lines) => backend.logTail(c, w, lines));
  const clusters = new Map<string, ClusterRecord>();
  /** When each cluster became RUNNING (or was re-adopted), for the no-client timeout. */
  const runningSince = new Map<string, number>();
  const waiters = createWaiters();
  const timers: NodeJS.Timeout[] = [];
  let stopping = false;
  /** Set once start-up adoption is done; heartbeats wait for it. */
  let started = false;

  const saveCluster = (c: ClusterRecord) => store.saveCluster(c);
  const saveWorker = (w: WorkerRecord) => {
    const c = clusters.get(w.clusterName);
    if (c !== undefined) events.workerSaved(c, w);
    return store.saveWorker(w);
  };

  const queue: WorkQueue = createWorkQueue(
    async (key) => {
      const [kind, clusterName, workerName] = key.split('/');
      const c = clusterName === undefined ? undefined : clusters.get(clusterName);
      if (c === undefined) return;
      if (kind === 'c') return reconcileCluster(c);
      const w = workerName === undefined ? undefined : c.workers.get(workerName);
      if (w !== undefined) return reconcileWorker(c, w);
    },
    {
      parallelism: timing.parallelism,
      onError: (key, err) => {
        log.error({ err, key }, 'reconcile failed; retrying with backoff');
      },
    }
  );
  const enqueueCluster = (c: ClusterRecord) => {
    queue.enqueue(`c/${c.name}`);
  };
  const enqueueWorker = (w: WorkerRecord) => {
    queue.enqueue(`w/${w.clusterName}/${w.name}`);
  };

  /** Sets the target of a wanted-running cluster to a final state; no-op otherwise. */
  const requestStop = async (
    c: ClusterRecord,
    target: typeof Job.STOPPED | typeof Job.FAILED,
    reason: string,
    actor: string | null = null
  ) => {
    if (c.target > Job.RUNNING) return;
    c.target = target;
    c.stopReason = reason;
    events.stopping(c, actor);
    log.info(
      { cluster: c.name, target: target === Job.FAILED ? 'FAILED' : 'STOPPED', reason },
      'stopping cluster'
    );
    await saveCluster(c);
    faults.reach('stop.target_saved');
    waiters.wake(c.name);
    enqueueCluster(c);
  };

  const fail = (c: ClusterRecord, reason: string) => requestStop(c, Job.FAILED, reason);

  /**
   * Races `p` against a timeout. When the timeout wins and `p` still resolves later, `onLate`
   * gets the value (a process started too late is stopped, never left unrecorded).
   */
  const withTimeout = async <T>(
    p: Promise<T>,
    seconds: number,
    what: string,
    onLate: (value: T) => Promise<void>
  ): Promise<T> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        p,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            // `p` is still pending here (a settled race clears the timer first).
            p.then(onLate).catch((err: unknown) => {
              log.error({ err }, `cleaning up after ${what} failed`);
            });
            reject(new Error(`${what} timed out after ${String(seconds)} s`));
          }, seconds * 1000);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };

  async function startScheduler(c: ClusterRecord): Promise<void> {
    // Addresses only ever come from the scheduler started here, and only it knows the new
    // token: a heartbeat still in flight from an earlier (orphaned) scheduler is refused.
    c.token = randomBytes(16).toString('hex');
    c.schedulerAddress = '';
    c.dashboardAddress = '';
    c.apiAddress = '';
    faults.reach('create.before_scheduler_spawn');
    events.emit(c, 'cluster.starting', 'Starting the scheduler', { backend: backend.kind });
    try {
      c.state = await withTimeout(
        backend.startCluster(c, {
          apiUrl: deps.apiUrl(),
          dashboardPrefix: `${deps.prefix}/clusters/${c.name}`,
          heartbeatPeriod: timing.heartbeatPeriod,
        }),
        timing.clusterStartTimeout,
        'starting the scheduler',
        (state) => backend.stopCluster({ ...c, state })
      );
      c.status = Job.SUBMITTED;
      faults.reach('create.scheduler_spawned');
      await saveCluster(c);
      faults.reach('create.scheduler_saved');
      accounting.started(c, null);
    } catch (err) {
      c.status = Job.SUBMITTED;
      await saveCluster(c);
      const reason = err instanceof Error ? err.message : String(err);
      await fail(c, `scheduler failed to start: ${reason}`);
    }
  }

  async function promote(c: ClusterRecord): Promise<void> {
    await routes.add(c);
    c.status = Job.RUNNING;
    runningSince.set(c.name, clock.now());
    c.lastHeartbeat = Math.max(c.lastHeartbeat, clock.now());
    faults.reach('create.promoted');
    await saveCluster(c);
    deps.observer?.clusterStarted((clock.now() - c.startTime) / 1000);
    faults.reach('create.running_saved');
    events.emit(c, 'cluster.running', 'Scheduler running', {}, 'scheduler');
    log.info({ cluster: c.name, user: c.username }, 'cluster running');
    waiters.wake(c.name);
  }

  async function ensureWorkers(c: ClusterRecord): Promise<void> {
    if (c.failures >= timing.workerStartFailureLimit) {
      await fail(c, `${String(c.failures)} workers in a row failed to start`);
      return;
    }
    let wanted = 0;
    for (const w of c.workers.values())
      if (w.target === Job.RUNNING && !isFinal(w.status)) wanted++;
    for (let i = wanted; i < c.count; i++) {
      const w: WorkerRecord = {
        name: randomUUID().replaceAll('-', ''),
        clusterName: c.name,
        status: Job.CREATED,
        target: Job.RUNNING,
        state: {},
        closeExpected: false,
        startTime: clock.now(),
        stopTime: null,
      };
      c.workers.set(w.name, w);
      await store.insertWorker(w);
      faults.reach('workers.record_inserted');
      events.workerRequested(c, w);
      enqueueWorker(w);
    }
  }

  async function finishCluster(c: ClusterRecord): Promise<void> {
    if (c.status !== Job.CLOSING) {
      c.status = Job.CLOSING;
      await saveCluster(c);
      faults.reach('stop.closing_saved');
      waiters.wake(c.name);
    }
    let unfinished = 0;
    for (const w of c.workers.values()) {
      if (isFinal(w.status)) continue;
      unfinished++;
      if (w.target === Job.RUNNING) {
        w.target = Job.STOPPED;
        await saveWorker(w);
        faults.reach('stop.worker_target_saved');
      }
      enqueueWorker(w);
    }
    if (unfinished > 0) return; // each finished worker re-enqueues the cluster
    await routes.remove(c.name);
    faults.reach('stop.before_scheduler_stop');
    await backend.stopCluster(c);
    faults.reach('stop.scheduler_stopped');
    c.status = c.target;
    c.stopTime = clock.now();
    events.finished(c);
    await saveCluster(c);
    policy.release(c.name);
    runningSince.delete(c.name);
    accounting.stopped(c, null);
    log.info(
      { cluster: c.name, status: publicStatus(c), reason: c.stopReason },
      'cluster finished'
    );
    waiters.wake(c.name);
  }

  async function reconcileCluster(c: ClusterRecord): Promise<void> {
    if (isFinal(c.status)) return;
    if (c.target !== Job.RUNNING) {
      await finishCluster(c);
      return;
    }
    if (c.status === Job.CREATED) await startScheduler(c);
    if (!isActive(c)) {
      enqueueCluster(c);
      return;
    }
    if (c.status === Job.SUBMITTED && c.schedulerAddress !== '') await promote(c);
    if (c.status === Job.RUNNING) await ensureWorkers(c);
  }

  async function reconcileWorker(c: ClusterRecord, w: WorkerRecord): Promise<void> {
    if (isFinal(w.status)) return;
    if (w.target === Job.RUNNING && w.status === Job.CREATED) {
      if (c.status !== Job.RUNNING || c.target !== Job.RUNNING) return;
      faults.reach('worker.before_spawn');
      try {
        w.state = await withTimeout(
          backend.startWorker(c, w, deps.apiUrl()),
          timing.workerStartTimeout,
          'starting a worker',
          (state) => backend.stopWorker(c, { ...w, state })
        );
        w.status = Job.SUBMITTED;
        faults.reach('worker.spawned');
        await saveWorker(w);
        faults.reach('worker.saved');
        accounting.started(c, w);
        return;
      } catch (err) {
        log.warn({ err, cluster: c.name, worker: w.name }, 'worker failed to start');
        events.workerFailing(
          w,
          `failed to start: ${err instanceof Error ? err.message : String(err)}`
        );
        w.target = Job.FAILED;
        c.failures++;
        await saveCluster(c);
      }
    }
    if (w.target !== Job.RUNNING) {
      faults.reach('worker.before_stop');
      await backend.stopWorker(c, w);
      faults.reach('worker.stopped');
      w.status = w.target;
      w.stopTime = clock.now();
      await saveWorker(w);
      accounting.stopped(c, w);
      enqueueCluster(c);
    }
  }

  const onProcessExit = (exit: ProcessExit) => {
    // After shutdown the store is closed; a restarted gateway finds the exit by itself.
    if (stopping) return;
    const c = clusters.get(exit.clusterName);
    if (c === undefined || isFinal(c.status)) return;
    if (exit.workerName === null) {
      if (c.target === Job.RUNNING) {
        const tail = backend.logTail(c, null, 20);
        void fail(
          c,
          `scheduler exited (${exit.how})${tail === '' ? '' : `; last output:\n${tail}`}`
        );
      }
      return;
    }
    const w = c.workers.get(exit.workerName);
    if (w === undefined || isFinal(w.status) || w.target !== Job.RUNNING) return;
    if (w.status !== Job.RUNNING) {
      // Died before it ever reached the scheduler: a start failure.
      events.workerFailing(w, `exited (${exit.how}) before connecting to the scheduler`);
      w.target = Job.FAILED;
      c.failures++;
      void Promise.all([saveWorker(w), saveCluster(c)]).then(() => {
        enqueueWorker(w);
      });
    }
    // A worker that was running is reported closed by the scheduler's next heartbeat.
  };

  const queueTimeout = backend.queueTimeout ?? Infinity;

  /**
   * Why a submitted scheduler (`w` null) or worker is overdue, or null. Start timeouts count
   * from when its job started running; a job still queued is judged by the queue timeout.
   */
  function overdue(c: ClusterRecord, w: WorkerRecord | null, now: number): string | null {
    const what = w === null ? 'scheduler' : 'worker';
    const phase = backend.phase?.(c, w);
    if (phase?.phase === 'queued') {
      return now - phase.since > queueTimeout * 1000
        ? `the ${what} job waited in the queue for more than ${String(queueTimeout)} s (reason: ${phase.reason})`
        : null;
    }
    const since = phase?.since ?? (w === null ? c.startTime : w.startTime);
    const limit = w === null ? timing.clusterStartTimeout : timing.workerStartTimeout;
    if (now - since <= limit * 1000) return null;
    if (w !== null) return `did not connect to the scheduler within ${String(limit)} s`;
    const tail = backend.logTail(c, null, 20);
    return `scheduler did not report its addresses within ${String(limit)} s${tail === '' ? '' : `; last output:\n${tail}`}`;
  }

  /** Last queue reason reported per scheduler (`c/<name>`) or worker (`w/<cluster>/<name>`). */
  const queueReasons = new Map<string, string>();

  /** Reports jobs that wait in the queue, once per reason. */
  function reportQueues(): void {
    const note = (c: ClusterRecord, w: WorkerRecord | null) => {
      const key = w === null ? `c/${c.name}` : `w/${c.name}/${w.name}`;
      const phase = backend.phase?.(c, w);
      if (phase?.phase !== 'queued') {
        queueReasons.delete(key);
        return;
      }
      if (queueReasons.get(key) === phase.reason) return;
      queueReasons.set(key, phase.reason);
      log.info({ cluster: c.name, worker: w?.name, reason: phase.reason }, 'job queued');
      const what = w === null ? 'Scheduler' : `Worker ${w.name}`;
      events.emit(
        c,
        w === null ? 'cluster.queued' : 'worker.queued',
        `${what} waits in the queue (${phase.reason})`,
        { reason: phase.reason },
        'gatehouse',
        w
      );
    };
    for (const c of clusters.values()) {
      if (c.target !== Job.RUNNING || isFinal(c.status)) continue;
      if (c.status === Job.SUBMITTED) note(c, null);
      for (const w of c.workers.values()) {
        if (w.status === Job.SUBMITTED && w.target === Job.RUNNING) note(c, w);
        else queueReasons.delete(`w/${c.name}/${w.name}`);
      }
    }
  }

  async function sweepTimeouts(): Promise<void> {
    const now = clock.now();
    for (const c of clusters.values()) {
      if (c.target !== Job.RUNNING || isFinal(c.status)) continue;
      const late = c.status === Job.SUBMITTED ? overdue(c, null, now) : null;
      if (late !== null) {
        await fail(c, late);
      } else if (
        c.status === Job.RUNNING &&
        now - c.lastHeartbeat > timing.heartbeatTimeout * 1000
      ) {
        await fail(c, `no heartbeat from the scheduler for ${String(timing.heartbeatTimeout)} s`);
      } else if (
        c.config.max_lifetime !== null &&
        now - c.startTime > c.config.max_lifetime * 1000
      ) {
        await requestStop(c, Job.STOPPED, 'lifetime');
      } else if (
        c.status === Job.RUNNING &&
        noClientFor(c, now) > (c.config.no_client_timeout ?? Infinity) * 1000
      ) {
        await requestStop(c, Job.STOPPED, 'no client');
      } else if (c.status === Job.RUNNING) {
        for (const w of c.workers.values()) {
          if (w.status !== Job.SUBMITTED || w.target !== Job.RUNNING) continue;
          const why = overdue(c, w, now);
          if (why !== null) {
            log.warn({ cluster: c.name, worker: w.name, reason: why }, 'worker given up');
            events.workerFailing(w, why);
            w.target = Job.FAILED;
            await saveWorker(w);
            enqueueWorker(w);
          }
        }
      }
    }
  }

  /** Milliseconds the running cluster `c` has had no client connected. */
  function noClientFor(c: ClusterRecord, now: number): number {
    const idle = deps.clients?.idleSince(c.name);
    if (idle === null) return 0;
    const since = Math.max(idle ?? 0, runningSince.get(c.name) ?? now);
    return now - since;
  }

  async function checkSchedulers(): Promise<void> {
    for (const c of clusters.values()) {
      if (c.target !== Job.RUNNING || (c.status !== Job.SUBMITTED && c.status !== Job.RUNNING))
        continue;
      if (!backend.isAlive(c)) await fail(c, 'the scheduler process is gone');
    }
  }

  async function checkWorkers(): Promise<void> {
    for (const c of clusters.values()) {
      if (c.status !== Job.RUNNING || c.target !== Job.RUNNING) continue;
      for (const w of c.workers.values()) {
        if (w.status === Job.SUBMITTED && w.target === Job.RUNNING && !backend.isAlive(c, w)) {
          events.workerFailing(w, 'the worker process is gone');
          w.target = Job.FAILED;
          c.failures++;
          await Promise.all([saveWorker(w), saveCluster(c)]);
          enqueueWorker(w);
        }
      }
    }
  }

  /**
   * Carries out the stops already asked for (within SHUTDOWN_STOP_GRACE_MS) before a shutdown
   * closes the queue, so no record is left CLOSING with its scheduler still running.
   */
  async function finishStopsInFlight(): Promise<void> {
    const closing = [...clusters.values()].filter(
      (c) => c.target !== Job.RUNNING && !isFinal(c.status)
    );
    if (closing.length === 0) return;
    log.info({ clusters: closing.map((c) => c.name) }, 'finishing stops before shutting down');
    for (const c of closing) enqueueCluster(c);
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SHUTDOWN_STOP_GRACE_MS);
    });
    await Promise.race([queue.idle(), bound]);
    clearTimeout(timer);
  }

  /** Clusters whose logs the retention sweep already removed. */
  const logsRemoved = new Set<string>();

  function rotateLogs(): void {
    for (const c of clusters.values()) if (!isFinal(c.status)) backend.rotateLogs(c);
  }

  async function cleanup(): Promise<void> {
    const now = clock.now();
    const retention = deps.logs?.retention ?? timing.clusterMaxAge;
    for (const c of clusters.values()) {
      if (c.stopTime === null || !isFinal(c.status) || logsRemoved.has(c.name)) continue;
      if (now - c.stopTime > retention * 1000) {
        backend.removeLogs(c.name);
        logsRemoved.add(c.name);
      }
    }
    const before = now - timing.clusterMaxAge * 1000;
    const deleted = await store.deleteFinishedBefore(before);
    for (const name of deleted) {
      clusters.delete(name);
      logsRemoved.delete(name);
    }
    if (deleted.length > 0) log.info({ count: deleted.length }, 'deleted finished cluster records');
    await deps.onCleanup?.(deleted, before);
  }

  const every = (seconds: number, what: string, fn: () => Promise<void> | void) => {
    if (seconds <= 0) return;
    const timer = setInterval(() => {
      Promise.resolve()
        .then(fn)
        .catch((err: unknown) => {
          log.error({ err }, `${what} failed`);
        });
    }, seconds * 1000);
    timer.unref();
    timers.push(timer);
  };

  /**
   * SIGKILLs the gateway's processes that no record claims (see orphans.ts). With `grace`, a
   * group must have been unclaimed at the previous scan too.
   */
  async function reapOrphans(grace: boolean): Promise<void> {
    const found = orphanTracker.orphans(backend.listOwnedProcesses(), clusters, grace);
    await Promise.all(
      found.map(async (g) => {
        log.warn(
          {
            cluster: g.clusterName,
            worker: g.workerName,
            pids: g.members.map((m) => m.pid),
            leader: g.leader !== null,
          },
          'killing a process no record claims'
        );
        if (!(await backend.killOwnedProcesses(g))) {
          log.error({ cluster: g.clusterName, pgid: g.pgid }, 'an orphan survived SIGKILL');
        }
        // A worker that runs without its pid recorded cannot be adopted: start a fresh one
        // under a new name rather than reuse this one's.
        const w =
          g.workerName === null
            ? undefined
            : clusters.get(g.clusterName)?.workers.get(g.workerName);
        if (w !== undefined && w.status === Job.CREATED && w.target === Job.RUNNING) {
          w.target = Job.FAILED;
          await saveWorker(w);
        }
      })
    );
  }

  /** Re-adopts what the store says is running, verifying each process is the one recorded. */
  async function adopt(c: ClusterRecord): Promise<void> {
    if (isFinal(c.status)) return;
    const submitted = c.status !== Job.CREATED;
    if (submitted && c.target === Job.RUNNING && !backend.isAlive(c)) {
      const tail = backend.logTail(c, null, 20);
      await fail(
        c,
        `the scheduler died while the gateway was down${tail === '' ? '' : `; last output:\n${tail}`}`
      );
    }
    for (const w of c.workers.values()) {
      if (isFinal(w.status) || w.status === Job.CREATED) continue;
      if (!backend.isAlive(c, w) && w.target === Job.RUNNING) {
        events.workerFailing(w, 'the worker died while the gateway was down');
        w.target = Job.FAILED;
        await saveWorker(w);
      }
    }
    if (c.status === Job.RUNNING && c.target === Job.RUNNING) {
      await routes.add(c);
      c.lastHeartbeat = clock.now();
      runningSince.set(c.name, clock.now());
    }
    enqueueCluster(c);
    for (const w of c.workers.values()) if (!isFinal(w.status)) enqueueWorker(w);
  }

  return {
    /** Feeds process exits from the backend. */
    onProcessExit,

    /** Loads records from the store, re-adopts live clusters and starts the sweeps. */
    async start(): Promise<void> {
      for (const c of await store.loadAll()) {
        clusters.set(c.name, c);
        for (const w of c.workers.values()) events.know(w);
      }
      // Nothing has been spawned yet by this gateway: whatever no record claims is an orphan.
      await reapOrphans(false);
      await backend.poll?.();
      await backend.adopt?.([...clusters.values()].filter((c) => !isFinal(c.status)));
      for (const c of clusters.values()) await adopt(c);
      started = true;
      if (backend.poll !== undefined) {
        every(backend.pollPeriod ?? timing.clusterStatusPeriod, 'backend poll', async () => {
          await backend.poll?.();
          reportQueues();
        });
      }
      every(timing.checkTimeoutsPeriod, 'timeout sweep', sweepTimeouts);
      every(timing.orphanScanPeriod, 'orphan scan', () => reapOrphans(true));
      every(timing.clusterStatusPeriod, 'scheduler liveness check', checkSchedulers);
      every(timing.workerStatusPeriod, 'worker liveness check', checkWorkers);
      every(timing.dbCleanupPeriod, 'cleanup', cleanup);
      every(deps.logs?.rotatePeriod ?? 0, 'log rotation', rotateLogs);
      await cleanup();
    },

    /** Stops the sweeps; stops every cluster first if configured to. */
    async shutdown(): Promise<void> {
      stopping = true;
      for (const t of timers) clearInterval(t);
      if (deps.stopClustersOnShutdown) {
        for (const c of clusters.values()) await fail(c, 'the gateway shut down');
        await queue.idle();
      } else {
        await finishStopsInFlight();
      }
      queue.close();
      waiters.wakeAll();
      // Work already running finishes before the store closes (no half-done writes).
      await queue.idle();
    },

    /** Waits until no reconcile work is pending (tests). */
    idle: () => queue.idle(),

    get(name: string): ClusterRecord | undefined {
      return clusters.get(name);
    },

    /** The last `lines` lines of the scheduler's (or worker `w`'s) output. */
    logTail: (c: ClusterRecord, w: WorkerRecord | null, lines: number) =>
      backend.logTail(c, w, lines),

    /** The whole kept output of the scheduler (or worker `w`), rotated copies included. */
    logFull: (c: ClusterRecord, w: WorkerRecord | null) => backend.logFull(c, w),

    /** Every cluster record (admins, policy). */
    all(): IterableIterator<ClusterRecord> {
      return clusters.values();
    },

    /** A user's clusters: active ones, or those whose public status is in `statuses`. */
    list(username: string, statuses: ReadonlySet<string> | null): ClusterRecord[] {
      const out: ClusterRecord[] = [];
      for (const c of clusters.values()) {
        if (c.username !== username) continue;
        if (statuses === null ? isActive(c) : statuses.has(publicStatus(c))) out.push(c);
      }
      return out;
    },

    /**
     * Creates a cluster record and starts it in the background; `onListed` runs as soon as the
     * record is in the cluster list (the caller's quota reservation ends there).
     */
    async create(
      username: string,
      options: Record<string, unknown>,
      config: ClusterConfig,
      onListed?: () => void
    ) {
      const name = randomUUID().replaceAll('-', '');
      const tls = await deps.createTls(name);
      const c: ClusterRecord = {
        name,
        username,
        options,
        config,
        status: Job.CREATED,
        target: Job.RUNNING,
        count: 0,
        state: {},
        token: randomBytes(16).toString('hex'),
        tlsCert: tls.cert,
        tlsKey: tls.key,
        schedulerAddress: '',
        dashboardAddress: '',
        apiAddress: '',
        startTime: clock.now(),
        stopTime: null,
        stopReason: null,
        failures: 0,
        lastHeartbeat: 0,
        workers: new Map(),
      };
      await store.insertCluster(c);
      clusters.set(name, c);
      onListed?.();
      faults.reach('create.record_inserted');
      events.emit(c, 'cluster.created', 'Cluster created', { options }, username);
      log.info({ cluster: name, user: username }, 'cluster created');
      enqueueCluster(c);
      return c;
    },

    /** Waits up to 20 s for the cluster to run or to begin stopping. */
    async waitForChange(c: ClusterRecord): Promise<void> {
      if (c.status !== Job.RUNNING && isActive(c) && !stopping) await waiters.wait(c.name, WAIT_MS);
    },

    /** Asks a cluster to stop (user or cluster-token DELETE); `actor` who asked, if a user. */
    stop: (c: ClusterRecord, reason: StopReason, actor: string | null = null) =>
      requestStop(c, Job.STOPPED, reason, actor),

    /** Runs the cleanup sweep now (tests; the sweep also runs every `db_cleanup_period`). */
    cleanup,

    /** Applies a heartbeat from the cluster's scheduler. */
    async heartbeat(c: ClusterRecord, hb: Heartbeat): Promise<void> {
      if (c.target !== Job.RUNNING || isFinal(c.status)) return;
      // Before adoption, or before a scheduler was started for this record, the sender can
      // only be a process no record claims (about to be stopped as an orphan).
      if (!started || c.status === Job.CREATED) return;
      const own = effectiveMaxWorkers(c.config);
      const wanted = own === null ? hb.count : Math.min(hb.count, own);
      const maxWorkers = policy.limitWorkers(c, wanted, 'observe').count;
      if (c.lastHeartbeat > 0 && c.status === Job.RUNNING) {
        deps.observer?.heartbeat((clock.now() - c.lastHeartbeat) / 1000);
      }
      const before = { address: c.schedulerAddress, count: c.count, workers: workerStates(c) };
      const out = applyHeartbeat(c, hb, clock.now(), maxWorkers);
      if (out.requestedCount !== c.count) {
        log.info(
          { cluster: c.name, requested: out.requestedCount, max: maxWorkers },
          'heartbeat count clamped'
        );
      }
      if (c.schedulerAddress !== before.address) faults.reach('heartbeat.addresses_applied');
      const countChanged = c.count !== before.count;
      if (countChanged) faults.reach('heartbeat.count_applied');
      for (const w of out.changedWorkers) {
        const was = before.workers.get(w.name);
        if (w.status === Job.RUNNING && was?.status !== Job.RUNNING) {
          faults.reach('heartbeat.worker_running');
        }
        if (w.target !== Job.RUNNING && was?.target === Job.RUNNING) {
          faults.reach('heartbeat.worker_closed');
        }
      }
      if (out.clusterChanged) await saveCluster(c);
      if (countChanged) faults.reach('heartbeat.count_saved');
      for (const w of out.changedWorkers) await saveWorker(w);
      for (const w of out.workersToReconcile) enqueueWorker(w);
      if (out.reconcileCluster) enqueueCluster(c);
    },

    /** Forwards a scale request to the scheduler, clamped to the cluster's limits. */
    async scale(c: ClusterRecord, count: number, actor: string): Promise<ScaleResult> {
      assertRunningFor(c, 'scale', actor);
      const own = clampScale(count, c.config);
      const limited = policy.limitWorkers(c, own.count, 'reserve');
      const msg = joinMessages(own.msg, limited.msg);
      const outcome = { requested: count, granted: limited.count };
      // Recorded before the command goes out: the workers it starts come after it in the stream.
      events.emit(
        c,
        'cluster.scale',
        `Scale to ${String(count)} requested; ${String(limited.count)} granted`,
        { ...outcome, ok: msg === null, msg },
        actor
      );
      faults.reach('scale.before_command');
      await recordedCommand(c, { op: 'scale', count: limited.count }, actor, outcome);
      faults.reach('scale.after_command');
      if (msg !== null) refused(c, actor, 'scale', msg, outcome);
      return { ok: msg === null, msg };
    },

    /** Forwards an adapt request to the scheduler, clamped to the cluster's limits. */
    async adapt(
      c: ClusterRecord,
      req: { minimum: number | null; maximum: number | null; active: boolean },
      actor: string
    ): Promise<ScaleResult> {
      assertRunningFor(c, 'adapt', actor);
      const clamped = clampAdapt({ minimum: req.minimum, maximum: req.maximum }, c.config);
      let { minimum, maximum } = clamped;
      let extra: string | null = null;
      if (maximum !== null) {
        const limited = policy.limitWorkers(c, maximum, 'check');
        if (limited.count < maximum) {
          extra = `Adaptive maximum lowered to ${String(limited.count)}: ${limited.msg ?? ''}`;
          maximum = limited.count;
          if (minimum !== null) minimum = Math.min(minimum, maximum);
        }
      }
      const outcome = { minimum, maximum, active: req.active };
      const msg = joinMessages(clamped.msg, extra);
      const range = `${String(minimum ?? 0)}..${maximum === null ? 'unlimited' : String(maximum)}`;
      events.emit(
        c,
        'cluster.adapt',
        req.active ? `Adaptive scaling ${range} requested` : 'Adaptive scaling turned off',
        { ...outcome, ok: msg === null, msg },
        actor
      );
      faults.reach('adapt.before_command');
      await recordedCommand(c, { op: 'adapt', ...outcome }, actor, outcome);
      faults.reach('adapt.after_command');
      if (msg !== null) refused(c, actor, 'adapt', msg, outcome);
      return { ok: msg === null, msg };
    },
  };

  function refused(
    c: ClusterRecord,
    actor: string,
    action: string,
    reason: string,
    data: Record<string, unknown> = {}
  ): void {
    events.emit(
      c,
      'request.refused',
      `${action} refused: ${reason}`,
      { action, reason, ...data },
      actor
    );
  }

  /** `assertRunning`, recording a refusal of `action` when the cluster is not running. */
  function assertRunningFor(c: ClusterRecord, action: string, actor: string): void {
    try {
      assertRunning(c);
    } catch (err) {
      refused(c, actor, action, `cluster is ${publicStatus(c)}`);
      throw err;
    }
  }

  /** `command`, recording the failed request when the scheduler does not answer. */
  async function recordedCommand(
    c: ClusterRecord,
    cmd: SchedulerCommand,
    actor: string,
    outcome: Record<string, unknown>
  ): Promise<void> {
    try {
      await command(c, cmd);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      events.emit(
        c,
        `cluster.${cmd.op}`,
        `${cmd.op} failed: ${msg}`,
        { ...outcome, ok: false, msg },
        actor
      );
      throw err;
    }
  }

  function assertRunning(c: ClusterRecord): void {
    if (c.status !== Job.RUNNING || c.target !== Job.RUNNING) {
      throw new GatewayError('cluster_not_running', `cluster ${c.name} is not running`);
    }
  }

  async function command(c: ClusterRecord, cmd: SchedulerCommand): Promise<void> {
    const notRunning = () =>
      new GatewayError('cluster_not_running', `cluster ${c.name} is not running`);
    assertRunning(c);
    try {
      await sendSchedulerCommand(c.apiAddress, c.token, cmd, timing.schedulerApiRetries);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      await fail(c, `the scheduler's API stopped answering: ${reason}`);
      throw notRunning();
    }
  }
}

/** Status and target of each unfinished worker (the only ones a heartbeat changes). */
function workerStates(c: ClusterRecord): Map<string, { status: number; target: number }> {
  const out = new Map<string, { status: number; target: number }>();
  for (const w of c.workers.values())
    if (!isFinal(w.status)) out.set(w.name, { status: w.status, target: w.target });
  return out;
}

function joinMessages(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  return b === null ? a : `${a} ${b}`;
}

/** The cluster manager. */
export type ClusterManager = ReturnType<typeof createClusterManager>;
