/**
 * `FakeDelegatingBackend`: an in-process stand-in for a backend of the delegating shape (a
 * Kubernetes-like engine that keeps each cluster's worker count itself), for the reconciler's
 * unit tests. Its schedulers are `FakeBackend`'s; its workers are names in a per-cluster map
 * that `setWorkerCount` fills up or trims to the count it acknowledges.
 * @module
 */
import type { Heartbeat } from '@gatehouse/api';
import type {
  DelegatingBackend,
  ObservedWorker,
  Observation,
  WorkerSetObservation,
} from '../../backends/backend.js';
import type { BackendState, ClusterRecord, WorkerRecord } from '../model.js';
import { FakeBackend } from './fake-backend.js';

/** What the fake engine keeps for one cluster. */
interface EngineEntry {
  acknowledged: number | null;
  /** Worker names, oldest first. */
  readonly workers: string[];
  /** How each worker that ended on its own ended, by name (kept until replaced). */
  readonly exited: Map<string, string>;
}

/** One `setWorkerCount` call the fake received. */
export interface CountCall {
  readonly cluster: string;
  readonly n: number;
  readonly retire: readonly string[];
}

/** A delegating backend whose engine lives in memory; see the module comment. */
export class FakeDelegatingBackend extends FakeBackend implements DelegatingBackend {
  readonly shape = 'delegating' as const;
  /** Every `setWorkerCount` call, in order. */
  readonly calls: CountCall[] = [];
  /** The engine's state, by cluster name (kept across gateways, as a real engine's is). */
  readonly engine = new Map<string, EngineEntry>();
  private nextWorker = 1;

  private entry(name: string): EngineEntry {
    let e = this.engine.get(name);
    if (e === undefined) {
      e = { acknowledged: null, workers: [], exited: new Map() };
      this.engine.set(name, e);
    }
    return e;
  }

  /** The names of the workers the engine runs for cluster `name`. */
  workerNames(name: string): string[] {
    return [...(this.engine.get(name)?.workers ?? [])];
  }

  setWorkerCount(
    c: ClusterRecord,
    n: number,
    opts: { readonly retire?: readonly string[] } = {}
  ): Promise<void> {
    const retire = opts.retire ?? [];
    this.calls.push({ cluster: c.name, n, retire });
    const e = this.entry(c.name);
    const kept = e.workers.filter((w) => !retire.includes(w) && !e.exited.has(w));
    e.exited.clear();
    while (kept.length < n) kept.push(`w${String(this.nextWorker++)}`);
    e.workers.splice(0, e.workers.length, ...kept.slice(0, n));
    e.acknowledged = n;
    return Promise.resolve();
  }

  observeWorkers(c: ClusterRecord): WorkerSetObservation {
    const e = this.engine.get(c.name);
    return {
      acknowledged: e?.acknowledged ?? null,
      workers: (e?.workers ?? []).map((name): ObservedWorker => {
        const how = e?.exited.get(name);
        return how === undefined ? { name, phase: 'running' } : { name, phase: 'exited', how };
      }),
    };
  }

  /** Worker `worker` of cluster `name` disappears (its pod was evicted); the engine notifies. */
  vanish(name: string, worker: string): void {
    const e = this.entry(name);
    e.workers.splice(e.workers.indexOf(worker), 1);
    this.notify({ clusterName: name, workerName: worker });
  }

  /** Worker `worker` of cluster `name` ends on its own (`how`); the engine notifies. */
  exitWorker(name: string, worker: string, how = 'exit code 1'): void {
    this.entry(name).exited.set(worker, how);
    this.notify({ clusterName: name, workerName: worker });
  }

  override observe(c: ClusterRecord, w: WorkerRecord | null): Observation {
    if (w === null) return super.observe(c, null);
    const e = this.engine.get(c.name);
    const how = e?.exited.get(w.name);
    if (how !== undefined) return { phase: 'exited', how };
    return e?.workers.includes(w.name) === true
      ? { phase: 'running', since: null }
      : { phase: 'absent' };
  }

  override startWorker(): Promise<BackendState> {
    return Promise.reject(new Error('a delegating backend starts no single worker'));
  }

  override stopWorker(): Promise<void> {
    return Promise.reject(new Error('a delegating backend stops no single worker'));
  }

  override stopCluster(c: ClusterRecord): Promise<void> {
    this.engine.delete(c.name);
    return super.stopCluster(c);
  }

  /**
   * The scheduler's heartbeat: the engine's workers are active up to the scaled count, and
   * those beyond it are the ones the scheduler retires (closing).
   */
  override heartbeat(name: string): Heartbeat {
    const hb = super.heartbeat(name);
    const e = this.engine.get(name);
    const names = this.workerNames(name).filter((w) => e?.exited.has(w) !== true);
    return {
      ...hb,
      active_workers: names.slice(0, hb.count),
      closing_workers: names.slice(hb.count),
    };
  }
}
