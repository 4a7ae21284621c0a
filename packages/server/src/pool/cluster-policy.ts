/**
 * The cluster policy: per-user quotas and the shared machine pool, applied to creates, scales,
 * adapts and heartbeats. Capacity is reserved when a scale is accepted (synchronously, before
 * any await), so concurrent scales can never oversubscribe the pool. What users hold is kept by
 * the ledger (`pool-ledger.ts`); the fit of a cluster not yet created is `new-cluster-fit.ts`.
 * @module
 */
import type { User } from '../auth/authenticator.js';
import { parseMemory } from '../cluster-options/memory.js';
import type { ClusterRecord } from '../clusters/model.js';
import type { PoolConfig, QuotaConfig as QuotaFileConfig } from '../config/schema.js';
import { systemClock, type Clock } from '../clock.js';
import { GatewayError } from '../errors.js';
import type { CreateReservation } from './create-reservations.js';
import { newClusterFit, type NewClusterFit, type NewClusterSize } from './new-cluster-fit.js';
import type { WorkerFootprint } from './footprint.js';
import { maxFitting, pack, type MachineType } from './packing.js';
import { machineTypesOf, PoolLedger } from './pool-ledger.js';
import {
  PoolQueue,
  queuedMessage,
  type GrantListener,
  type QueueSettings,
  type QueueView,
} from './pool-queue.js';
import type { WaitEntry } from './wait-queue.js';
import {
  checkCreate,
  clampWorkers,
  effectiveQuota,
  type Quota,
  type QuotaConfig,
  type Usage,
} from './quota.js';
import { joined, plural } from './wording.js';

export type { NewClusterFit, NewClusterSize } from './new-cluster-fit.js';

/** Settings of the policy, from the config file. */
export interface PolicySettings {
  readonly pool: PoolConfig;
  /** The room one worker takes in the pool; by default its config's cores and memory. */
  readonly footprint?: WorkerFootprint;
  /** With `pool.when_full: queue`: the wait queue's settings; absent, a full pool clamps. */
  readonly queue?: QueueSettings;
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

/**
 * A worker count after clamping, and the message saying why when it was clamped; with the
 * queue, `wanted` is what the cluster waits for in all (the scheduler is told that count).
 */
interface Clamped {
  readonly count: number;
  readonly msg: string | null;
  readonly wanted?: number;
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

/** One group's quota settings and where they come from. */
export interface GroupQuotaSettings {
  readonly group: string;
  readonly quota: Partial<Quota>;
  readonly source: 'config' | 'admin' | null;
  /** The config file's settings, which clearing the override returns to. */
  readonly config: Partial<Quota> | null;
}

/** Quotas and the shared pool over the live clusters. */
export class ClusterPolicy {
  #types: MachineType[];
  #total: number;
  #cap: number | null;
  readonly #fileQuotas: QuotaConfig;
  /** Per-user overrides set by admins at run time (take precedence over the file). */
  readonly #overrides = new Map<string, Partial<Quota>>();
  /** Per-group overrides set by admins at run time (replace the file's settings of the group). */
  readonly #groupOverrides = new Map<string, Partial<Quota>>();
  /** The groups each user had when last seen, for decisions made without a request (heartbeats). */
  readonly #groupsOf = new Map<string, readonly string[]>();
  readonly #ledger: PoolLedger;
  readonly #clock: Clock;
  /** The wait queue (`when_full: queue`), or null when a full pool clamps. */
  readonly #queue: PoolQueue | null;

  /**
   * @param settings the pool and quotas of the config file.
   * @param clusters the live cluster records.
   */
  constructor(settings: PolicySettings, clusters: () => Iterable<ClusterRecord>, clock: Clock) {
    this.#types = machineTypesOf(settings.pool);
    this.#total = this.#types.reduce((n, t) => n + t.count, 0);
    this.#cap = settings.pool.user_machine_cap;
    this.#fileQuotas = {
      default: toQuota(settings.quotas.default),
      groups: mapValues(settings.quotas.groups, toQuota),
      users: mapValues(settings.quotas.users, toQuota),
    };
    this.#ledger = new PoolLedger(
      clusters,
      settings.pool.schedulers_take_room,
      clock,
      settings.footprint
    );
    this.#clock = clock;
    const shape = () => ({ types: this.#types, cap: this.#cap });
    this.#queue =
      settings.queue === undefined
        ? null
        : new PoolQueue(this.#ledger, shape, clock, settings.queue);
  }

  /**
   * Takes a re-read pool (nodes came or went). Later decisions use it; what clusters hold is
   * kept, and a pool that shrank below it only limits what they may add.
   */
  setMachines(pool: Pick<PoolConfig, 'machine_types' | 'user_machine_cap'>): void {
    this.#types = machineTypesOf(pool);
    this.#total = this.#types.reduce((n, t) => n + t.count, 0);
    this.#cap = pool.user_machine_cap;
    void this.#queue?.settle();
  }

  /**
   * Remembers a user's groups (quotas by group also apply to their heartbeats); true when
   * they differ from what was known, so the caller can persist them.
   */
  observe(user: Pick<User, 'name' | 'groups'>): boolean {
    const known = this.#groupsOf.get(user.name);
    this.#groupsOf.set(user.name, user.groups);
    return known?.join('\n') !== user.groups.join('\n');
  }

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
    return this.#ledger.pendingCreates.add(username, schedulerCores, schedulerMemory);
  }

  /** Throws 422 naming the limit when `username` may not start another cluster. */
  checkCreate(username: string, schedulerCores: number, schedulerMemory: number): void {
    const usage = this.#ledger.usageOf(username);
    const refusal = checkCreate(this.quota(username), usage, schedulerCores, schedulerMemory);
    if (refusal === null) return;
    const theirs = [...this.#ledger.active()].filter((c) => c.username === username);
    const names = theirs.map((c) => c.name);
    const hint =
      names.length > 0 && usage.clusters >= (this.quota(username).maxClusters ?? Infinity)
        ? ` Your active clusters: ${names.join(', ')}. Reconnect with gateway.connect("${names[0] ?? ''}") or stop one with gateway.stop_cluster(name).`
        : '';
    throw new GatewayError('quota_exceeded', `${refusal}${hint}`);
  }

  /**
   * Clamps a wanted worker count by the user's quota and the pool, and reserves the result.
   * Returns the count to use and a message when it was clamped.
   */
  limitWorkers(
    c: ClusterRecord,
    requested: number,
    mode: 'reserve' | 'check' | 'observe' = 'reserve'
  ): Clamped {
    if (mode === 'observe' && requested <= 0) {
      // A heartbeat asking for no workers: zero always fits, and the quota and pool walks over
      // every cluster (the cost of each heartbeat at 1,000 clusters) would only confirm it.
      if (this.#queue !== null) return { count: this.#queue.limit(c, 0, mode).count, msg: null };
      this.#ledger.follow(c.name, 0);
      return { count: 0, msg: null };
    }
    const q = clampWorkers(
      this.quota(c.username),
      this.#ledger.usageOf(c.username, c.name),
      requested,
      c.config.worker_cores,
      c.config.worker_memory
    );
    if (this.#queue !== null) {
      // Quotas clamp at once (waiting cannot help); the pool's room is waited for.
      if (mode === 'check') return q;
      const got = this.#queue.limit(c, q.count, mode);
      return { count: got.count, msg: joined(q.msg, queuedMessage(got)), wanted: q.count };
    }
    const p = this.#poolClamp(c, q.count);
    if (mode === 'reserve') this.#ledger.reserve(c.name, p.count);
    else if (mode === 'observe') this.#ledger.follow(c.name, p.count);
    return { count: p.count, msg: p.count < q.count ? p.msg : q.msg };
  }

  /** Forgets a cluster's reservation (it stopped) and takes it out of the queue. */
  release(name: string): void {
    this.#ledger.release(name);
    this.#queue?.release(name);
  }

  /** Sets who is told when waiting workers are granted (the cluster manager). */
  onGrant(listener: GrantListener): void {
    this.#queue?.onGrant(listener);
  }

  /** Grants what fits to the waiting clusters (after a restart, once the clusters are known). */
  settle(): Promise<void> {
    return this.#queue?.settle() ?? Promise.resolve();
  }

  /** Reads the users' recent usage for the queue's order (before a scale), unless fresh. */
  refreshUsage(): Promise<void> {
    return this.#queue?.refreshUsage() ?? Promise.resolve();
  }

  /** Takes back the queue persisted before a restart. */
  loadQueue(entries: Iterable<WaitEntry>): void {
    this.#queue?.load(entries);
  }

  /** Where cluster `name` waits for machines, or null. */
  queued(name: string): { wanted: number; position: number } | null {
    return this.#queue?.queued(name) ?? null;
  }

  /** An admin's move of cluster `name` to place `position` in line; false: it does not wait. */
  moveQueued(name: string, position: number): boolean {
    return this.#queue?.move(name, position) ?? false;
  }

  /** The whole queue in grant order (empty when a full pool clamps). */
  queueView(): QueueView[] {
    return this.#queue?.view() ?? [];
  }

  /** The pool as `username` sees it; admins also get machines per user. */
  state(username: string, admin: boolean): PoolState {
    const result = pack(this.#types, this.#ledger.allDemands());
    return {
      machines_total: this.#total,
      machines_in_use: result.machinesUsed,
      machines_free: this.#total - result.machinesUsed,
      users_with_machines: result.usersWithMachines,
      your_machines: result.machinesByUser.get(username) ?? 0,
      user_machine_cap: this.#cap,
      machine_types: this.#types.map((t) => ({ ...t })),
      ...(admin ? { per_user: Object.fromEntries(result.machinesByUser) } : {}),
    };
  }

  /**
   * What a new cluster of `username` with these sizes would get now: the workers it could
   * scale to at once (quota and pool both applied, as a scale would be clamped), how many of
   * its workers fit on one machine, and why it is limited, in plain words.
   */
  newClusterFit(username: string, size: NewClusterSize): NewClusterFit {
    const pool = {
      types: this.#types,
      cap: this.#cap,
      ledger: this.#ledger,
      now: this.#clock.now(),
    };
    return newClusterFit(pool, this.quota(username), username, size);
  }

  /** The quota that applies to `username`. */
  quota(username: string): Quota {
    const groups = { ...this.#fileQuotas.groups, ...Object.fromEntries(this.#groupOverrides) };
    const base = effectiveQuota(
      { ...this.#fileQuotas, groups },
      {
        name: username,
        groups: this.#groupsOf.get(username) ?? [],
      }
    );
    return { ...base, ...(this.#overrides.get(username) ?? {}) };
  }

  /** The groups `username` had when last seen (none when never seen). */
  groupsOf(username: string): readonly string[] {
    return this.#groupsOf.get(username) ?? [];
  }

  /** What `username` holds now. */
  usage(username: string): Usage {
    return this.#ledger.usageOf(username);
  }

  /** Sets (or with null clears) an admin's per-user override. */
  setOverride(username: string, q: Partial<Quota> | null): void {
    if (q === null) this.#overrides.delete(username);
    else this.#overrides.set(username, q);
  }

  /** Sets (or with null clears) an admin's override of a group's quota. */
  setGroupOverride(group: string, q: Partial<Quota> | null): void {
    if (q === null) this.#groupOverrides.delete(group);
    else this.#groupOverrides.set(group, q);
  }

  /**
   * Every group with quota settings or known otherwise (`known`, e.g. granted groups and the
   * groups users were seen in): its settings from the config file, an admin's override, and
   * which of the two applies (null: neither sets anything).
   */
  groupQuotas(known: Iterable<string>): GroupQuotaSettings[] {
    const names = new Set([
      ...Object.keys(this.#fileQuotas.groups),
      ...this.#groupOverrides.keys(),
      ...known,
      ...[...this.#groupsOf.values()].flat(),
    ]);
    return [...names].sort().map((group) => {
      const file = this.#fileQuotas.groups[group] ?? null;
      const override = this.#groupOverrides.get(group) ?? null;
      return {
        group,
        quota: override ?? file ?? {},
        source: override !== null ? 'admin' : file !== null ? 'config' : null,
        config: file,
      };
    });
  }

  /** Clamps `requested` workers of `c` to what the shared pool can take. */
  #poolClamp(c: ClusterRecord, requested: number): Clamped {
    const types = this.#types;
    const cap = this.#cap;
    const others = this.#ledger.allDemands(c.name);
    const [workers, ...rest] = this.#ledger.demandsOf(c, requested);
    if (workers === undefined) return { count: requested, msg: null };
    const fit = maxFitting(types, [...others, ...rest], workers, cap);
    if (fit >= requested) return { count: requested, msg: null };
    // The pool as it is once the clamped grant is booked: the numbers that explain the clamp.
    const state = pack(types, [...others, ...rest, { ...workers, count: fit }]);
    const mine = state.machinesByUser.get(c.username) ?? 0;
    const why =
      state.machinesUsed >= this.#total
        ? 'the shared pool is full'
        : cap !== null && mine >= cap
          ? 'your share of the shared pool is full'
          : 'no more of them fit in the shared pool';
    const capText = cap === null ? '' : `; at most ${String(cap)} per user`;
    const msg =
      `Scale to ${plural(requested, 'worker')} clamped to ${String(fit)}: ${why} ` +
      `(${String(state.machinesUsed)} of ${String(this.#total)} machines in use by ` +
      `${plural(state.usersWithMachines, 'user')}, ${String(mine)} of them yours${capText}).`;
    return { count: fit, msg };
  }
}

/** Creates the policy over the live clusters. */
export function createClusterPolicy(
  settings: PolicySettings,
  clusters: () => Iterable<ClusterRecord>,
  clock: Clock = systemClock
): ClusterPolicy {
  return new ClusterPolicy(settings, clusters, clock);
}
