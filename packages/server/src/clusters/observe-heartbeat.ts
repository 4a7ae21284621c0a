/**
 * Applying a scheduler's heartbeat to the manager's records: addresses, the wanted worker count
 * (clamped to the cluster's and the policy's limits) and worker states, then saving and
 * enqueueing what changed.
 * @module
 */
import type { Heartbeat } from '@gatehouse/api';
import { effectiveMaxWorkers } from '../cluster-options/limits.js';
import { isDelegating } from '../backends/backend.js';
import { applyHeartbeat } from './heartbeat.js';
import { Job, isFinal, type ClusterRecord, type WorkerRecord } from './model.js';
import {
  enqueueCluster,
  enqueueWorker,
  saveCluster,
  saveWorker,
  type ManagerState,
} from './manager-state.js';

/** Status and target of each unfinished worker (the only ones a heartbeat changes). */
function workerStates(c: ClusterRecord): Map<string, { status: number; target: number }> {
  const out = new Map<string, { status: number; target: number }>();
  for (const w of c.workers.values())
    if (!isFinal(w.status)) out.set(w.name, { status: w.status, target: w.target });
  return out;
}

/** Reaches the fault points of the worker changes a heartbeat made in memory. */
function reachWorkerPoints(
  s: ManagerState,
  changed: readonly WorkerRecord[],
  before: Map<string, { status: number; target: number }>
): void {
  for (const w of changed) {
    const was = before.get(w.name);
    if (w.status === Job.RUNNING && was?.status !== Job.RUNNING) {
      s.faults.reach('heartbeat.worker_running');
    }
    if (w.target !== Job.RUNNING && was?.target === Job.RUNNING) {
      s.faults.reach('heartbeat.worker_closed');
    }
  }
}

/** The host of an address as a heartbeat writes it (`tls://h:p`, `h:p`, `http://[::1]:p/x`). */
export function addressHost(address: string): string {
  const rest = address.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  if (rest.startsWith('[')) return rest.slice(1, Math.max(1, rest.indexOf(']')));
  const end = rest.search(/[:/]/);
  return (end < 0 ? rest : rest.slice(0, end)).toLowerCase();
}

/**
 * Whether `hb` may set `c`'s addresses: every one names the host the backend expects (when it
 * knows one). The addresses become the cluster's routes, and a scheduler run by user code from
 * its start could otherwise point them at another cluster or a service on the gateway's host.
 */
function addressesAllowed(s: ManagerState, c: ClusterRecord, hb: Heartbeat): boolean {
  if (c.status >= Job.RUNNING) return true; // addresses are only taken before RUNNING
  const expected = s.backend.schedulerHost?.(c) ?? null;
  if (expected === null) return true;
  const named = [hb.scheduler_address, hb.dashboard_address, hb.api_address];
  // An empty address is none (a scheduler without a dashboard reports '').
  const foreign = named.filter((a) => a !== '' && addressHost(a) !== expected.toLowerCase());
  if (foreign.length === 0) return true;
  s.log.warn(
    { cluster: c.name, expected, addresses: named },
    'heartbeat refused: its addresses name a host other than the cluster its own'
  );
  return false;
}

/** Applies a heartbeat from the scheduler of `c`. */
export async function observeHeartbeat(
  s: ManagerState,
  c: ClusterRecord,
  hb: Heartbeat
): Promise<void> {
  if (c.target !== Job.RUNNING || isFinal(c.status)) return;
  // Before adoption, or before a scheduler was started for this record, the sender can
  // only be a process no record claims (about to be stopped as an orphan).
  if (!s.started || c.status === Job.CREATED) return;
  if (!addressesAllowed(s, c, hb)) return;
  const { clock, faults } = s;
  const own = effectiveMaxWorkers(c.config);
  const wanted = own === null ? hb.count : Math.min(hb.count, own);
  const maxWorkers = s.policy.limitWorkers(c, wanted, 'observe').count;
  if (c.lastHeartbeat > 0 && c.status === Job.RUNNING) {
    s.deps.observer?.heartbeat((clock.now() - c.lastHeartbeat) / 1000);
  }
  const before = { address: c.schedulerAddress, count: c.count, workers: workerStates(c) };
  const out = applyHeartbeat(c, hb, clock.now(), maxWorkers);
  if (out.requestedCount !== c.count) {
    s.log.info(
      { cluster: c.name, requested: out.requestedCount, max: maxWorkers },
      'heartbeat count clamped'
    );
  }
  if (c.schedulerAddress !== before.address) faults.reach('heartbeat.addresses_applied');
  const countChanged = c.count !== before.count;
  if (countChanged) faults.reach('heartbeat.count_applied');
  reachWorkerPoints(s, out.changedWorkers, before.workers);
  if (out.clusterChanged) await saveCluster(s, c);
  if (countChanged) faults.reach('heartbeat.count_saved');
  for (const w of out.changedWorkers) await saveWorker(s, w);
  for (const w of out.workersToReconcile) enqueueWorker(s, w);
  // A delegating backend retires the workers the scheduler closes from the cluster's reconcile.
  const retire = isDelegating(s.backend) && out.changedWorkers.length > 0;
  if (out.reconcileCluster || retire) enqueueCluster(s, c);
}
