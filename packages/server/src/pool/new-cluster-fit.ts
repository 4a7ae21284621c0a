/**
 * What a new cluster would get now, before it is created: the workers it could scale to at once
 * (quota and pool both applied, as a scale would be clamped), how many of its workers fit on
 * one machine, and what limits it, in one plain sentence (shown on the new-cluster form).
 * @module
 */
import type { Footprint } from './footprint.js';
import { maxFitting, pack, type MachineType } from './packing.js';
import type { PoolLedger, SizedCluster } from './pool-ledger.js';
import { checkCreate, clampWorkers, type Quota } from './quota.js';
import { plural } from './wording.js';

/** The sizes of a cluster not yet created (bytes for memory). */
export interface NewClusterSize {
  readonly workerCores: number;
  readonly workerMemory: number;
  readonly schedulerCores: number;
  readonly schedulerMemory: number;
  /** The profile it would be started with, which may decide its workers' footprint. */
  readonly profile?: string;
}

/** What a new cluster would get now (see `newClusterFit`). */
export interface NewClusterFit {
  /** Workers it could scale to at once. */
  readonly workers: number;
  /** Its workers per machine, on the machine type that takes most. */
  readonly perMachine: number;
  /** What binds: the shared pool, the user's quota, or nothing. */
  readonly limit: 'pool' | 'quota' | null;
  /** The same in one plain sentence. */
  readonly message: string;
}

/** The pool as the fit sees it: its machine types, the per-user cap and the ledger. */
export interface FitPool {
  readonly types: readonly MachineType[];
  readonly cap: number | null;
  readonly ledger: PoolLedger;
  /** Now, in clock milliseconds (the candidate's start time). */
  readonly now: number;
}

/** Workers of this footprint that fit on one machine of the type that takes most. */
function workersPerMachine(types: readonly MachineType[], worker: Footprint): number {
  return Math.max(
    0,
    ...types.map((t) =>
      Math.min(
        Math.floor(t.cores / worker.cores + 1e-9),
        Math.floor(t.memory / worker.memory + 1e-9)
      )
    )
  );
}

/** The candidate cluster as the pool sees it. */
function candidateOf(username: string, size: NewClusterSize, now: number): SizedCluster {
  return {
    name: '\0new',
    username,
    startTime: now,
    options: size.profile === undefined ? {} : { profile: size.profile },
    config: {
      worker_cores: size.workerCores,
      worker_memory: size.workerMemory,
      scheduler_cores: size.schedulerCores,
      scheduler_memory: size.schedulerMemory,
    },
  };
}

/** The fit of a new cluster of `username` with these sizes under `quota`. */
export function newClusterFit(
  pool: FitPool,
  quota: Quota,
  username: string,
  size: NewClusterSize
): NewClusterFit {
  const { types, cap, ledger } = pool;
  const candidate = candidateOf(username, size, pool.now);
  const perMachine = workersPerMachine(types, ledger.footprintOf(candidate));
  const usage = ledger.usageOf(username);
  const refusal = checkCreate(quota, usage, size.schedulerCores, size.schedulerMemory);
  if (refusal !== null) {
    return { workers: 0, perMachine, limit: 'quota', message: `Refused now: ${refusal}` };
  }
  if (perMachine === 0) {
    return {
      workers: 0,
      perMachine,
      limit: 'pool',
      message: 'Its workers are larger than any machine of the pool.',
    };
  }
  const total = types.reduce((n, t) => n + t.count, 0);
  const q = clampWorkers(
    quota,
    {
      clusters: usage.clusters + 1,
      workers: usage.workers,
      cores: usage.cores + size.schedulerCores,
      memory: usage.memory + size.schedulerMemory,
    },
    perMachine * total,
    size.workerCores,
    size.workerMemory
  );
  const others = ledger.allDemands();
  const [workers, ...rest] = ledger.demandsOf(candidate, q.count);
  const fit =
    workers === undefined ? q.count : maxFitting(types, [...others, ...rest], workers, cap);
  const free = total - pack(types, others).machinesUsed;
  const room = `${plural(free, 'machine')} of ${String(total)} free, ${String(perMachine)} of its workers per machine`;
  if (fit < q.count) {
    return {
      workers: fit,
      perMachine,
      limit: 'pool',
      message:
        fit === 0
          ? `The shared pool has no room for its workers now (${room}); it would start with none until machines free up.`
          : `Up to ${plural(fit, 'worker')} now, limited by the shared pool (${room}${cap === null ? '' : `, at most ${plural(cap, 'machine')} per user`}).`,
    };
  }
  if (q.msg !== null) {
    return {
      workers: q.count,
      perMachine,
      limit: 'quota',
      message: `Up to ${plural(q.count, 'worker')} now, limited by your quota.`,
    };
  }
  return {
    workers: fit,
    perMachine,
    limit: null,
    message: `Up to ${plural(fit, 'worker')} now (${room}).`,
  };
}
