/**
 * The cluster policy: per-user quotas and the shared machine pool, applied to creates, scales,
 * adapts and heartbeats. Capacity is reserved when a scale is accepted (synchronously, before
 * any await), so concurrent scales can never oversubscribe the pool.
 * @module
 */
import type { User } from '../auth/authenticator.js';
import { parseMemory } from '../cluster-options/memory.js';
import type { ClusterRecord } from '../clusters/model.js';
import { Job, isFinal } from '../clusters/model.js';
import type { PoolConfig, QuotaConfig as QuotaFileConfig } from '../config/schema.js';
import { systemClock, type Clock } from '../clock.js';
import { GatewayError } from '../errors.js';

/** How long an accepted scale holds its reservation against a heartbeat reporting less. */
const RECENT_SCALE_MS = 30_000;

function plural(n: number, word: string): string {
  return `${String(n)} ${word}${n === 1 ? '' : 's'}`;
}
import { CreateReservations, type CreateReservation } from './create-reservations.js';
import { maxFitting, pack, type Demand, type MachineType } from './packing.js';
import {
  checkCreate,
  clampWorkers,
  effectiveQuota,
  type Quota,
  type QuotaConfig,
  type Usage,
} from './quota.js';

/** Settings of the policy, from the config file. */
export interface PolicySettings {
  readonly pool: PoolConfig;
  readonly quotas: {
    default: QuotaFileConfig;
    groups: Record<string, QuotaFileConfig>;
    users: Record<string, QuotaFileConfig>;
  };
}

/** The pool as a user sees it on `GET /api/v1/pool`. */
export interface PoolState {
  readonly machines_total: number;
  readonly machines_in_use: number;
  readonly machines_free: number;
  readonly users_with_machines: number;
  readonly your_machines: number;
  readonly user_machine_cap: number | null;
  readonly machine_types: ReadonlyArray<{
    name: string;
    cores: number;
    memory: number;
    count: number;
  }>;
  readonly per_user?: Readonly<Record<string, number>>;
}

/** The sizes of a cluster not yet created (bytes for memory). */
export interface NewClusterSize {
  readonly workerCores: number;
  readonly workerMemory: number;
  readonly schedulerCores: number;
  readonly schedulerMemory: number;
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

/** Converts a file quota (snake_case, memory strings) into a quota. */
export function toQuota(q: QuotaFileConfig): Partial<Quota> {
  const out: { -readonly [K in keyof Quota]?: number | null } = {};
  if (q.max_clusters !== undefined) out.maxClusters = q.max_clusters;
  if (q.max_workers !== undefined) out.maxWorkers = q.max_workers;
  if (q.max_cores !== undefined) out.maxCores = q.max_cores;
  if (q.max_memory !== undefined) {
    out.maxMemory = q.max_memory === null ? null : parseMemory(q.max_memory, 'max_memory');
  }
  return out;
}

function mapValues<T, U>(r: Readonly<Record<string, T>>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));
}

/** Creates the policy over the live clusters. */
export function createClusterPolicy(
  settings: PolicySettings,
  clusters: () => Iterable<ClusterRecord>,
  clock: Clock = systemClock
) {
  const types: MachineType[] = settings.pool.machine_types.map((t) => ({
    name: t.name,
    cores: t.cores,
    memory: parseMemory(t.memory, 'pool.machine_types.memory'),
    count: t.count,
  }));
  const cap = settings.pool.user_machine_cap;
  const fileQuotas: QuotaConfig = {
    default: toQuota(settings.quotas.default),
    groups: mapValues(settings.quotas.groups, toQuota),
    users: mapValues(settings.quotas.users, toQuota),
  };
  /** Per-user overrides set by admins at run time (take precedence over the file). */
  const overrides = new Map<string, Partial<Quota>>();
  /** The groups each user had when last seen, for decisions made without a request (heartbeats). */
  const groupsOf = new Map<string, readonly string[]>();
  /** Workers reserved per cluster by accepted scales (at least the scheduler's count). */
  const reserved = new Map<string, number>();
  /** When each cluster's last scale was accepted (clock ms). */
  const scaledAt = new Map<string, number>();
  const now = () => clock.now();
  const pendingCreates = new CreateReservations();

  function* active(): Generator<ClusterRecord> {
    for (const c of clusters()) if (c.target === Job.RUNNING && !isFinal(c.status)) yield c;
  }
  const workersOf = (c: ClusterRecord) => Math.max(c.count, reserved.get(c.name) ?? 0);

  /** What the pool needs to know of a cluster (a record, or one not created yet). */
  type Sized = Pick<ClusterRecord, 'name' | 'username' | 'startTime'> & {
    readonly config: Pick<
      ClusterRecord['config'],
      'worker_cores' | 'worker_memory' | 'scheduler_cores' | 'scheduler_memory'
    >;
  };
  const demandsOf = (c: Sized, workers: number): Demand[] => {
    const out: Demand[] = [
      {
        user: c.username,
        cluster: c.name,
        cores: c.config.worker_cores,
        memory: c.config.worker_memory,
        count: workers,
        order: c.startTime,
      },
    ];
    if (settings.pool.schedulers_take_room) {
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
  };

  const allDemands = (except?: string) => {
    const out: Demand[] = [];
    for (const c of active()) if (c.name !== except) out.push(...demandsOf(c, workersOf(c)));
    return out;
  };

  const usageOf = (username: string, except?: string): Usage => {
    let clustersN = 0;
    let workers = 0;
    let cores = 0;
    let memory = 0;
    for (const c of active()) {
      if (c.username !== username) continue;
      clustersN++;
      cores += c.config.scheduler_cores;
      memory += c.config.scheduler_memory;
      if (c.name === except) continue;
      const n = workersOf(c);
      workers += n;
      cores += n * c.config.worker_cores;
      memory += n * c.config.worker_memory;
    }
    const pending = pendingCreates.of(username);
    return {
      clusters: clustersN + pending.clusters,
      workers,
      cores: cores + pending.cores,
      memory: memory + pending.memory,
    };
  };

  const quotaOf = (username: string): Quota => {
    const base = effectiveQuota(fileQuotas, {
      name: username,
      groups: groupsOf.get(username) ?? [],
    });
    return { ...base, ...(overrides.get(username) ?? {}) };
  };

  const poolClamp = (
    c: ClusterRecord,
    requested: number
  ): { count: number; msg: string | null } => {
    const others = allDemands(c.name);
    const [workers, ...rest] = demandsOf(c, requested);
    if (workers === undefined) return { count: requested, msg: null };
    const fit = maxFitting(types, [...others, ...rest], workers, cap);
    if (fit >= requested) return { count: requested, msg: null };
    const state = pack(types, [...others, ...rest]);
    const total = types.reduce((n, t) => n + t.count, 0);
    const mine = state.machinesByUser.get(c.username) ?? 0;
    const capText = cap === null ? '' : ` (at most ${String(cap)} per user)`;
    const msg =
      `Scale request of ${plural(requested, 'worker')} does not fit the shared pool: ` +
      `${String(state.machinesUsed)} of ${String(total)} machines are in use by ` +
      `${plural(state.usersWithMachines, 'user')}, ${String(mine)} of them yours${capText}. ` +
      `Scaling to ${String(fit)} instead.`;
    return { count: fit, msg };
  };

  return {
    /**
     * Remembers a user's groups (quotas by group also apply to their heartbeats); true when
     * they differ from what was known, so the caller can persist them.
     */
    observe(user: Pick<User, 'name' | 'groups'>): boolean {
      const known = groupsOf.get(user.name);
      groupsOf.set(user.name, user.groups);
      return known?.join('\n') !== user.groups.join('\n');
    },

    /**
     * Checks the create like `checkCreate` and, in the same synchronous step, reserves the
     * cluster against the quota until the returned reservation is released (once the record is
     * listed, or the create failed).
     */
    reserveCreate(
      username: string,
      schedulerCores: number,
      schedulerMemory: number
    ): CreateReservation {
      this.checkCreate(username, schedulerCores, schedulerMemory);
      return pendingCreates.add(username, schedulerCores, schedulerMemory);
    },

    /** Throws 422 naming the limit when `username` may not start another cluster. */
    checkCreate(username: string, schedulerCores: number, schedulerMemory: number): void {
      const usage = usageOf(username);
      const refusal = checkCreate(quotaOf(username), usage, schedulerCores, schedulerMemory);
      if (refusal === null) return;
      const theirs = [...active()].filter((c) => c.username === username);
      const names = theirs.map((c) => c.name);
      const hint =
        names.length > 0 && usage.clusters >= (quotaOf(username).maxClusters ?? Infinity)
          ? ` Your active clusters: ${names.join(', ')}. Reconnect with gateway.connect("${names[0] ?? ''}") or stop one with gateway.stop_cluster(name).`
          : '';
      throw new GatewayError('quota_exceeded', `${refusal}${hint}`);
    },

    /**
     * Clamps a wanted worker count by the user's quota and the pool, and reserves the result.
     * Returns the count to use and a message when it was clamped.
     */
    limitWorkers(
      c: ClusterRecord,
      requested: number,
      mode: 'reserve' | 'check' | 'observe' = 'reserve'
    ): { count: number; msg: string | null } {
      if (mode === 'observe' && requested <= 0) {
        // A heartbeat asking for no workers: zero always fits, and the quota and pool walks over
        // every cluster (the cost of each heartbeat at 1,000 clusters) would only confirm it.
        const recent = now() - (scaledAt.get(c.name) ?? -Infinity) < RECENT_SCALE_MS;
        reserved.set(c.name, recent ? Math.max(0, reserved.get(c.name) ?? 0) : 0);
        return { count: 0, msg: null };
      }
      const q = clampWorkers(
        quotaOf(c.username),
        usageOf(c.username, c.name),
        requested,
        c.config.worker_cores,
        c.config.worker_memory
      );
      const p = poolClamp(c, q.count);
      if (mode === 'reserve') {
        reserved.set(c.name, p.count);
        scaledAt.set(c.name, now());
      } else if (mode === 'observe') {
        // A heartbeat: follow the scheduler's count, but never drop below a scale accepted moments
        // ago that the scheduler may not have applied yet.
        const recent = now() - (scaledAt.get(c.name) ?? -Infinity) < RECENT_SCALE_MS;
        reserved.set(c.name, recent ? Math.max(p.count, reserved.get(c.name) ?? 0) : p.count);
      }
      return { count: p.count, msg: p.count < q.count ? p.msg : q.msg };
    },

    /** Forgets a cluster's reservation (it stopped). */
    release(name: string): void {
      reserved.delete(name);
      scaledAt.delete(name);
    },

    /** The pool as `username` sees it; admins also get machines per user. */
    state(username: string, admin: boolean): PoolState {
      const result = pack(types, allDemands());
      const total = types.reduce((n, t) => n + t.count, 0);
      return {
        machines_total: total,
        machines_in_use: result.machinesUsed,
        machines_free: total - result.machinesUsed,
        users_with_machines: result.usersWithMachines,
        your_machines: result.machinesByUser.get(username) ?? 0,
        user_machine_cap: cap,
        machine_types: types.map((t) => ({ ...t })),
        ...(admin ? { per_user: Object.fromEntries(result.machinesByUser) } : {}),
      };
    },

    /**
     * What a new cluster of `username` with these sizes would get now: the workers it could
     * scale to at once (quota and pool both applied, as a scale would be clamped), how many of
     * its workers fit on one machine, and why it is limited, in plain words.
     */
    newClusterFit(username: string, size: NewClusterSize): NewClusterFit {
      const perMachine = Math.max(
        0,
        ...types.map((t) =>
          Math.min(
            Math.floor(t.cores / size.workerCores + 1e-9),
            Math.floor(t.memory / size.workerMemory + 1e-9)
          )
        )
      );
      const quota = quotaOf(username);
      const usage = usageOf(username);
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
      const candidate: Sized = {
        name: '\0new',
        username,
        startTime: now(),
        config: {
          worker_cores: size.workerCores,
          worker_memory: size.workerMemory,
          scheduler_cores: size.schedulerCores,
          scheduler_memory: size.schedulerMemory,
        },
      };
      const others = allDemands();
      const [workers, ...rest] = demandsOf(candidate, q.count);
      const fit =
        workers === undefined ? q.count : maxFitting(types, [...others, ...rest], workers, cap);
      const state = pack(types, others);
      const free = total - state.machinesUsed;
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
    },

    /** The quota that applies to `username`. */
    quota: quotaOf,
    /** What `username` holds now. */
    usage: (username: string) => usageOf(username),

    /** Sets (or with null clears) an admin's per-user override. */
    setOverride(username: string, q: Partial<Quota> | null): void {
      if (q === null) overrides.delete(username);
      else overrides.set(username, q);
    },
  };
}

/** The cluster policy. */
export type ClusterPolicy = ReturnType<typeof createClusterPolicy>;
