/**
 * The cluster manager: a level-triggered reconciler over cluster and worker records, assembled
 * here from its parts (reconcile-cluster, reconcile-worker, observe-heartbeat, sweeps,
 * adoption, commands) around one `ManagerState`.
 *
 * Requests and heartbeats only change desired state (`target`, `count`) and enqueue a key;
 * the reconcile functions compare desired state with what is running and ask the backend to
 * close the gap. Background sweeps catch what no event reports (timeouts, dead processes,
 * retention), and a resync re-enqueues every unfinished record every `cluster_status_period`.
 * Records are written through to the store at every change.
 * @module
 */
import { followGrants } from './apply-grant.js';
import { loadAndAdopt, reapOrphans } from './adoption.js';
import { adaptCluster, createCluster, scaleCluster } from './commands.js';
import type { ClusterManager, ClusterManagerDeps } from './manager-deps.js';
import {
  createManagerState,
  enqueueCluster,
  fail,
  requestStop,
  type ManagerState,
} from './manager-state.js';
import { Job, isActive, isFinal, publicStatus, type ClusterRecord } from './model.js';
import { observeHeartbeat } from './observe-heartbeat.js';
import { reconcileCluster } from './reconcile-cluster.js';
import { reconcileWorker } from './reconcile-worker.js';
import { onBackendChange } from './observe-backend.js';
import {
  cleanup,
  reportQueues,
  resync,
  resyncWorkers,
  rotateLogs,
  sweepTimeouts,
} from './sweeps.js';

export type {
  AdaptRequest,
  ClusterManager,
  ClusterManagerDeps,
  ClusterRoutes,
  ManagerObserver,
  ProcessAccounting,
  StopReason,
  WorkerPolicy,
} from './manager-deps.js';

const WAIT_MS = 20_000;
/** How long a shutdown waits for stops already asked for (SIGTERM, then SIGKILL, fit easily). */
const SHUTDOWN_STOP_GRACE_MS = 30_000;

/** Reconciles one queue key: `c/<cluster>` or `w/<cluster>/<worker>`. */
export async function runKey(s: ManagerState, key: string): Promise<void> {
  const [kind, clusterName, workerName] = key.split('/');
  const c = clusterName === undefined ? undefined : s.clusters.get(clusterName);
  if (c === undefined) return;
  if (kind === 'c') return reconcileCluster(s, c);
  const w = workerName === undefined ? undefined : c.workers.get(workerName);
  if (w !== undefined) return reconcileWorker(s, c, w);
}

/** Runs `fn` every `seconds` (never when `seconds` ≤ 0), logging its failures. */
function every(s: ManagerState, seconds: number, what: string, fn: () => Promise<void> | void) {
  if (seconds <= 0) return;
  const timer = setInterval(() => {
    Promise.resolve()
      .then(fn)
      .catch((err: unknown) => {
        s.log.error({ err }, `${what} failed`);
      });
  }, seconds * 1000);
  timer.unref();
  s.timers.push(timer);
}

/** Starts the backend poll, the sweeps and the resync timer. */
function startTimers(s: ManagerState): void {
  const { backend, timing } = s;
  if (backend.refresh !== undefined) {
    every(s, backend.refreshPeriod ?? timing.clusterStatusPeriod, 'backend refresh', async () => {
      await backend.refresh?.();
      reportQueues(s);
    });
  }
  every(s, timing.checkTimeoutsPeriod, 'timeout sweep', () => sweepTimeouts(s));
  every(s, timing.orphanScanPeriod, 'orphan scan', () => reapOrphans(s, true));
  every(s, timing.clusterStatusPeriod, 'resync', () => {
    resync(s);
    // A backend whose cache follows events (Kubernetes informers) has no refresh to hang it on.
    if (backend.refresh === undefined) reportQueues(s);
  });
  every(s, timing.workerStatusPeriod, 'worker resync', () => {
    resyncWorkers(s);
  });
  every(s, timing.dbCleanupPeriod, 'cleanup', () => cleanup(s));
  every(s, s.deps.logs?.rotatePeriod ?? 0, 'log rotation', () => {
    rotateLogs(s);
  });
}

/**
 * Carries out the stops already asked for (within SHUTDOWN_STOP_GRACE_MS) before a shutdown
 * closes the queue, so no record is left CLOSING with its scheduler still running.
 */
async function finishStopsInFlight(s: ManagerState): Promise<void> {
  const closing = [...s.clusters.values()].filter(
    (c) => c.target !== Job.RUNNING && !isFinal(c.status)
  );
  if (closing.length === 0) return;
  s.log.info({ clusters: closing.map((c) => c.name) }, 'finishing stops before shutting down');
  for (const c of closing) enqueueCluster(s, c);
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, SHUTDOWN_STOP_GRACE_MS);
  });
  await Promise.race([s.queue.idle(), bound]);
  clearTimeout(timer);
}

/** Stops the sweeps; stops every cluster first if configured to. */
async function shutdown(s: ManagerState): Promise<void> {
  s.stopping = true;
  for (const t of s.timers) clearInterval(t);
  if (s.deps.stopClustersOnShutdown) {
    for (const c of s.clusters.values()) await fail(s, c, 'the gateway shut down');
    await s.queue.idle();
  } else {
    await finishStopsInFlight(s);
  }
  s.queue.close();
  s.waiters.wakeAll();
  // Work already running finishes before the store closes (no half-done writes).
  await s.queue.idle();
}

/** A user's clusters: active ones, or those whose public status is in `statuses`. */
function listClusters(
  s: ManagerState,
  username: string,
  statuses: ReadonlySet<string> | null
): ClusterRecord[] {
  const out: ClusterRecord[] = [];
  for (const c of s.clusters.values()) {
    if (c.username !== username) continue;
    if (statuses === null ? isActive(c) : statuses.has(publicStatus(c))) out.push(c);
  }
  return out;
}

/** Creates the manager; call `start()` to load records and begin reconciling. */
export function createClusterManager(deps: ClusterManagerDeps): ClusterManager {
  return assembleManager(createManagerState(deps, runKey));
}

/** The `ClusterManager` over state `s` (built with `runKey`); tests keep `s` to inspect it. */
export function assembleManager(s: ManagerState): ClusterManager {
  const { backend } = s;
  return {
    onBackendChange: (change) => {
      onBackendChange(s, change);
    },
    async start() {
      followGrants(s);
      await loadAndAdopt(s);
      await s.policy.settle?.();
      startTimers(s);
      await cleanup(s);
    },
    shutdown: () => shutdown(s),
    idle: () => s.queue.idle(),
    get: (name) => s.clusters.get(name),
    logTail: async (c, w, lines) => {
      await backend.logs?.refresh?.(c, w);
      return backend.logs?.tail(c, w, lines) ?? '';
    },
    logFull: async (c, w) => {
      await backend.logs?.refresh?.(c, w);
      return (await backend.logs?.full(c, w)) ?? '';
    },
    all: () => s.clusters.values(),
    list: (username, statuses) => listClusters(s, username, statuses),
    create: (username, options, config, onListed) =>
      createCluster(s, username, options, config, onListed),
    async waitForChange(c) {
      if (c.status !== Job.RUNNING && isActive(c) && !s.stopping) {
        await s.waiters.wait(c.name, WAIT_MS);
      }
    },
    stop: (c, reason, actor = null) => requestStop(s, c, Job.STOPPED, reason, actor),
    cleanup: () => cleanup(s),
    resync: () => {
      resync(s);
    },
    heartbeat: (c, hb) => observeHeartbeat(s, c, hb),
    scale: (c, count, actor) => scaleCluster(s, c, count, actor),
    adapt: (c, req, actor) => adaptCluster(s, c, req, actor),
  };
}
