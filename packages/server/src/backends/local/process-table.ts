/**
 * The local backend's cache of its processes, which `observe` answers from: every scheduler
 * and worker this gateway spawned, with how it ended once its exit event came (the exit event
 * is authoritative for children). A process recorded before a restart is no child: it is
 * checked in `/proc` (same pid and start time, carrying the cluster's marker).
 * @module
 */
import type { ProcessRef } from '../../clusters/model.js';
import { isSameProcess } from '../../process/process-identity.js';
import type { Observation } from '../backend.js';

interface Entry {
  readonly ref: ProcessRef;
  /** How it ended; null while it runs. */
  how: string | null;
}

const keyOf = (clusterName: string, workerName: string | null) =>
  `${clusterName}/${workerName ?? ''}`;
const same = (a: ProcessRef, b: ProcessRef) => a.pid === b.pid && a.startTicks === b.startTicks;

/** The spawned processes of one gateway, by cluster and worker name. */
export class ProcessTable {
  readonly #entries = new Map<string, Entry>();

  /** Records a process just spawned. */
  started(clusterName: string, workerName: string | null, ref: ProcessRef): void {
    this.#entries.set(keyOf(clusterName, workerName), { ref, how: null });
  }

  /** Records how a spawned process ended (ignored once it was forgotten or replaced). */
  exited(clusterName: string, workerName: string | null, ref: ProcessRef, how: string): void {
    const e = this.#entries.get(keyOf(clusterName, workerName));
    if (e !== undefined && same(e.ref, ref)) e.how = how;
  }

  /** Forgets a worker (`workerName`), or a cluster with every worker (`workerName` null). */
  forget(clusterName: string, workerName: string | null): void {
    if (workerName !== null) {
      this.#entries.delete(keyOf(clusterName, workerName));
      return;
    }
    for (const k of [...this.#entries.keys()]) {
      if (k.startsWith(`${clusterName}/`)) this.#entries.delete(k);
    }
  }

  /** Where the process recorded as `ref` stands. */
  observe(
    clusterName: string,
    workerName: string | null,
    ref: ProcessRef | undefined
  ): Observation {
    if (ref === undefined) return { phase: 'absent' };
    const e = this.#entries.get(keyOf(clusterName, workerName));
    if (e !== undefined && same(e.ref, ref)) {
      return e.how === null ? { phase: 'running', since: null } : { phase: 'exited', how: e.how };
    }
    return isSameProcess(ref, clusterName)
      ? { phase: 'running', since: null }
      : { phase: 'absent' };
  }
}
