/**
 * Reconciling the workers of a cluster on a delegating backend: the engine keeps the count, so
 * the reconciler tells it the wanted count (with the workers the scheduler retires) whenever
 * the observation falls short, and turns the workers it observes into worker records and
 * events, as per-job workers are.
 * @module
 */
import type { DelegatingBackend, ObservedWorker } from '../backends/backend.js';
import { Job, isFinal, newWorker, type ClusterRecord, type WorkerRecord } from './model.js';
import { enqueueCluster, saveCluster, saveWorker, type ManagerState } from './manager-state.js';

/** Records a worker the engine started and the gateway has no record of (SUBMITTED). */
async function recordNew(s: ManagerState, c: ClusterRecord, name: string): Promise<void> {
  const w = newWorker(c, name, s.clock.now());
  c.workers.set(name, w);
  await s.store.insertWorker(w);
  s.events.workerRequested(c, w);
  w.status = Job.SUBMITTED;
  await saveWorker(s, w);
  s.accounting.started(c, w);
}

/**
 * Finishes the record of a worker the engine no longer runs: STOPPED when it was retired or
 * its cluster is stopping, FAILED (with why) when it was given up on, or ended or vanished on
 * its own. One that never reached its scheduler is a start failure, counted as per-job ones.
 */
async function recordGone(
  s: ManagerState,
  c: ClusterRecord,
  w: WorkerRecord,
  o: ObservedWorker | undefined
): Promise<void> {
  const expected = w.closeExpected || w.target === Job.STOPPED || c.target !== Job.RUNNING;
  const end = expected && w.target !== Job.FAILED ? Job.STOPPED : Job.FAILED;
  if (w.target === Job.RUNNING && end === Job.FAILED) {
    s.events.workerFailing(
      w,
      o === undefined ? 'vanished from the backend' : `exited (${o.how ?? 'unknown'})`
    );
    if (w.status === Job.SUBMITTED) {
      c.failures++;
      await saveCluster(s, c);
      enqueueCluster(s, c);
    }
  }
  w.target = end;
  w.status = end;
  w.stopTime = s.clock.now();
  await saveWorker(s, w);
  s.accounting.stopped(c, w);
}

/** Brings the worker records of `c` in line with what the engine reports. */
export async function recordObserved(
  s: ManagerState,
  c: ClusterRecord,
  observed: readonly ObservedWorker[]
): Promise<void> {
  const byName = new Map(observed.map((o) => [o.name, o]));
  for (const o of observed) {
    if (o.phase !== 'exited' && !c.workers.has(o.name)) await recordNew(s, c, o.name);
  }
  for (const w of c.workers.values()) {
    if (isFinal(w.status)) continue;
    const o = byName.get(w.name);
    if (o === undefined || o.phase === 'exited') await recordGone(s, c, w, o);
  }
}

/** Unfinished workers the scheduler retires (closing) or the gateway wants stopped. */
function retiring(c: ClusterRecord): string[] {
  const out: string[] = [];
  for (const w of c.workers.values()) {
    if (!isFinal(w.status) && (w.closeExpected || w.target !== Job.RUNNING)) out.push(w.name);
  }
  return out;
}

/**
 * Observes the workers of running cluster `c`, and tells the engine the wanted count when it
 * did not acknowledge it, runs fewer, or still runs workers to retire.
 */
export async function reconcileDelegatedWorkers(
  s: ManagerState,
  c: ClusterRecord,
  backend: DelegatingBackend
): Promise<void> {
  const seen = backend.observeWorkers(c);
  await recordObserved(s, c, seen.workers);
  const retire = retiring(c);
  const live = seen.workers.filter((o) => o.phase !== 'exited' && !retire.includes(o.name));
  if (seen.acknowledged === c.count && live.length >= c.count && retire.length === 0) return;
  await backend.setWorkerCount(c, c.count, { retire });
  await recordObserved(s, c, backend.observeWorkers(c).workers);
}
