/**
 * What every user holds now: the active clusters' workers (at least what an accepted scale
 * reserved), their schedulers and the creates not yet listed. The cluster policy reads it as
 * demands on the shared pool and as usage against quotas.
 * @module
 */
import { parseMemory } from '../cluster-options/memory.js';
import type { ClusterRecord } from '../clusters/model.js';
import { Job, isFinal } from '../clusters/model.js';
import type { PoolConfig } from '../config/schema.js';
import type { Clock } from '../clock.js';
import { CreateReservations } from './create-reservations.js';
import { configuredFootprint, type Footprint, type WorkerFootprint } from './footprint.js';
import type { Demand, MachineType } from './packing.js';
import type { Usage } from './quota.js';

/** How long an accepted scale holds its reservation against a heartbeat reporting less. */
const RECENT_SCALE_MS = 30_000;

/** What the pool needs to know of a cluster (a record, or one not created yet). */
export type SizedCluster = Pick<ClusterRecord, 'name' | 'username' | 'startTime' | 'options'> & {
  readonly config: Pick<
    ClusterRecord['config'],
    'worker_cores' | 'worker_memory' | 'scheduler_cores' | 'scheduler_memory'
  >;
};

/** The pool's machine types with memory in bytes. */
export function machineTypesOf(pool: Pick<PoolConfig, 'machine_types'>): MachineType[] {
  return pool.machine_types.map((t) => ({
    name: t.name,
    cores: t.cores,
    memory: parseMemory(t.memory, 'pool.machine_types.memory'),
    count: t.count,
  }));
}

/** Usage, demands and worker reservations over the live clusters. */
export class PoolLedger {
  /** Creates accepted by the quota but not listed yet. */
  readonly pendingCreates = new CreateReservations();
  /** Workers reserved per cluster by accepted scales (at least the scheduler's count). */
  readonly #reserved = new Map<string, number>();
  /** When each cluster's last scale was accepted (clock ms). */
  readonly #scaledAt = new Map<string, number>();

  readonly #clusters: () => Iterable<ClusterRecord>;
  readonly #schedulersTakeRoom: boolean;
  readonly #clock: Clock;
  readonly #footprint: WorkerFootprint;

  /**
   * @param clusters the live cluster records.
   * @param schedulersTakeRoom whether schedulers occupy pool machines too.
   * @param footprint the room one worker of a cluster takes (by default its config's size).
   */
  constructor(
    clusters: () => Iterable<ClusterRecord>,
    schedulersTakeRoom: boolean,
    clock: Clock,
    footprint: WorkerFootprint = configuredFootprint
  ) {
    this.#clusters = clusters;
    this.#schedulersTakeRoom = schedulersTakeRoom;
    this.#clock = clock;
    this.#footprint = footprint;
  }

  /** The room one worker of `c` takes on a pool machine. */
  footprintOf(c: SizedCluster): Footprint {
    return this.#footprint(c);
  }

  /** The clusters that hold pool room and count against quotas. */
  *active(): Generator<ClusterRecord> {
    for (const c of this.#clusters()) if (c.target === Job.RUNNING && !isFinal(c.status)) yield c;
  }

  /** The workers a cluster holds: its count, or more when a scale reserved more. */
  workersOf(c: ClusterRecord): number {
    return Math.max(c.count, this.#reserved.get(c.name) ?? 0);
  }

  /** The pool demands of a cluster with `workers` workers (and its scheduler, if it takes room). */
  demandsOf(c: SizedCluster, workers: number): Demand[] {
    const worker = this.#footprint(c);
    const out: Demand[] = [
      {
        user: c.username,
        cluster: c.name,
        cores: worker.cores,
        memory: worker.memory,
        count: workers,
        order: c.startTime,
      },
    ];
    if (this.#schedulersTakeRoom) {
      out.push({
        user: c.username,
        cluster: `${c.name}/scheduler`,
        cores: c.config.scheduler_cores,
        memory: c.config.scheduler_memory,
        count: 1,
        order: c.startTime,
      });
    }
    return out;
  }

  /** The demands of every active cluster but `except`. */
  allDemands(except?: string): Demand[] {
    const out: Demand[] = [];
    for (const c of this.active()) {
      if (c.name !== except) out.push(...this.demandsOf(c, this.workersOf(c)));
    }
    return out;
  }

  /** What `username` holds now, leaving out the workers of cluster `except`. */
  usageOf(username: string, except?: string): Usage {
    let clusters = 0;
    let workers = 0;
    let cores = 0;
    let memory = 0;
    for (const c of this.active()) {
      if (c.username !== username) continue;
      clusters++;
      cores += c.config.scheduler_cores;
      memory += c.config.scheduler_memory;
      if (c.name === except) continue;
      const n = this.workersOf(c);
      workers += n;
      cores += n * c.config.worker_cores;
      memory += n * c.config.worker_memory;
    }
    const pending = this.pendingCreates.of(username);
    return {
      clusters: clusters + pending.clusters,
      workers,
      cores: cores + pending.cores,
      memory: memory + pending.memory,
    };
  }

  /** Reserves `count` workers for an accepted scale of cluster `name`. */
  reserve(name: string, count: number): void {
    this.#reserved.set(name, count);
    this.#scaledAt.set(name, this.#clock.now());
  }

  /**
   * Follows the count a heartbeat reports, but never drops below a scale accepted moments ago
   * that the scheduler may not have applied yet.
   */
  follow(name: string, count: number): void {
    const recent = this.#clock.now() - (this.#scaledAt.get(name) ?? -Infinity) < RECENT_SCALE_MS;
    this.#reserved.set(name, recent ? Math.max(count, this.#reserved.get(name) ?? 0) : count);
  }

  /** Forgets a cluster's reservation (it stopped). */
  release(name: string): void {
    this.#reserved.delete(name);
    this.#scaledAt.delete(name);
  }
}
