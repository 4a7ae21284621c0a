/**
 * Start-up adoption and orphan handling: reload the records, re-adopt what the store says is
 * running (verifying each process is the one recorded), and kill the gateway's processes that
 * no record claims.
 * @module
 */
import type { Observation } from '../backends/backend.js';
import { Job, isFinal, type ClusterRecord } from './model.js';
import {
  enqueueCluster,
  enqueueWorker,
  fail,
  lastOutput,
  logTail,
  saveWorker,
  type ManagerState,
} from './manager-state.js';

/**
 * Deletes what the gateway started that no record claims (see orphans.ts). With `grace`, an
 * item must have been unclaimed at the previous scan too.
 */
export async function reapOrphans(s: ManagerState, grace: boolean): Promise<void> {
  const { backend, log } = s;
  const found = s.orphanTracker.orphans(await backend.listOwned(), s.clusters, grace);
  await Promise.all(
    found.map(async (g) => {
      log.warn(
        { cluster: g.clusterName, worker: g.workerName, ...g.details },
        'deleting what the gateway started and no record claims'
      );
      if (!(await backend.deleteOwned(g))) {
        log.error({ cluster: g.clusterName, ...g.details }, 'an orphan survived its deletion');
      }
      // A worker that runs without its pid recorded cannot be adopted: start a fresh one
      // under a new name rather than reuse this one's.
      const w =
        g.workerName === null
          ? undefined
          : s.clusters.get(g.clusterName)?.workers.get(g.workerName);
      if (w !== undefined && w.status === Job.CREATED && w.target === Job.RUNNING) {
        w.target = Job.FAILED;
        await saveWorker(s, w);
      }
    })
  );
}

/** Whether an observation finds the process still there (queued or running). */
const isLive = (o: Observation) => o.phase === 'queued' || o.phase === 'running';

/** Re-adopts what the store says is running, verifying each process is the one recorded. */
export async function adopt(s: ManagerState, c: ClusterRecord): Promise<void> {
  const { backend } = s;
  if (isFinal(c.status)) return;
  const submitted = c.status !== Job.CREATED;
  if (submitted && c.target === Job.RUNNING && !isLive(backend.observe(c, null))) {
    const tail = logTail(s, c, null, 20);
    await fail(s, c, `the scheduler died while the gateway was down${lastOutput(tail)}`);
  }
  for (const w of c.workers.values()) {
    if (isFinal(w.status) || w.status === Job.CREATED) continue;
    if (!isLive(backend.observe(c, w)) && w.target === Job.RUNNING) {
      s.events.workerFailing(w, 'the worker died while the gateway was down');
      w.target = Job.FAILED;
      await saveWorker(s, w);
    }
  }
  if (c.status === Job.RUNNING && c.target === Job.RUNNING) {
    await s.routes.add(c);
    c.lastHeartbeat = s.clock.now();
    s.runningSince.set(c.name, s.clock.now());
  }
  enqueueCluster(s, c);
  for (const w of c.workers.values()) if (!isFinal(w.status)) enqueueWorker(s, w);
}

/**
 * Loads every record, kills what no record claims, lets the backend take back its resources
 * and re-adopts each cluster; heartbeats are applied from then on.
 */
export async function loadAndAdopt(s: ManagerState): Promise<void> {
  for (const c of await s.store.loadAll()) {
    s.clusters.set(c.name, c);
    for (const w of c.workers.values()) s.events.know(w);
  }
  // The backend takes back what active clusters hold (uids) before orphans are judged, so an
  // orphan of an active cluster never takes its cluster's other processes with it.
  await s.backend.adopt?.([...s.clusters.values()].filter((c) => !isFinal(c.status)));
  // Nothing has been spawned yet by this gateway: whatever no record claims is an orphan.
  await reapOrphans(s, false);
  await s.backend.refresh?.();
  for (const c of s.clusters.values()) await adopt(s, c);
  s.started = true;
}
