/**
 * Per-user quotas: working out the limits that apply to a user from the admin's default, group and
 * user settings, refusing a cluster create that would break them, and clamping a scale request to
 * what they allow — with messages that name the limit and the current use.
 *
 * Pure: callers pass in the usage they counted; nothing here reads state.
 * @module
 */
import { formatBytes } from '../cluster-options/memory.js';
import { plural } from './wording.js';

/** Limits on what one user may hold at once; null = unlimited. */
export interface Quota {
  /** Active clusters (config key `max_clusters`). */
  readonly maxClusters: number | null;
  /** Workers across all their clusters (`max_workers`). */
  readonly maxWorkers: number | null;
  /** Cores across all their clusters, schedulers included (`max_cores`). */
  readonly maxCores: number | null;
  /** Memory across all their clusters, schedulers included, in bytes (`max_memory`). */
  readonly maxMemory: number | null /* bytes */;
}

/** The quota settings: a default, per-group settings and per-user overrides. */
export interface QuotaConfig {
  /** Applies to every key that neither the user nor any of their groups sets. */
  readonly default: Partial<Quota>;
  /** Settings per group name; a user gets the most generous value among their groups. */
  readonly groups: Readonly<Record<string, Partial<Quota>>>;
  /** Settings per user name; a key set here wins over groups and the default. */
  readonly users: Readonly<Record<string, Partial<Quota>>>;
}

/** What one user holds (or, for clamping, holds apart from one cluster's workers). */
export interface Usage {
  /** Active clusters. */
  readonly clusters: number;
  /** Workers. */
  readonly workers: number;
  /** Cores, schedulers included. */
  readonly cores: number;
  /** Memory in bytes, schedulers included. */
  readonly memory: number;
}

/** One quota key. */
type QuotaKey = keyof Quota;

/** Slack for fractional cores that add up exactly on paper (0.1 + 0.2 against 0.3). */
const EPSILON = 1e-9;

/** The value `settings` gives `key`: a number, null (unlimited), or undefined when not set. */
function setting(settings: Partial<Quota> | undefined, key: QuotaKey): number | null | undefined {
  if (settings === undefined || !Object.hasOwn(settings, key)) return undefined;
  return settings[key];
}

/** The settings of `name` in a by-name table; own keys only, so `"constructor"` finds nothing. */
function entry(
  table: Readonly<Record<string, Partial<Quota>>>,
  name: string
): Partial<Quota> | undefined {
  return Object.hasOwn(table, name) ? table[name] : undefined;
}

/** The more generous of two limits: null (unlimited) beats any number. */
function moreGenerous(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : Math.max(a, b);
}

/** The most generous value the groups set for `key`; undefined when none of them sets it. */
function groupValue(
  groups: readonly (Partial<Quota> | undefined)[],
  key: QuotaKey
): number | null | undefined {
  let best: number | null | undefined;
  for (const settings of groups) {
    const value = setting(settings, key);
    if (value === undefined) continue;
    best = best === undefined ? value : moreGenerous(best, value);
  }
  return best;
}

/**
 * Effective quota: user override keys win; otherwise, for each key, the most generous value among
 * the user's groups that set it (null = unlimited is most generous); otherwise the default;
 * otherwise null.
 *
 * A key counts as set when present with a number or null; a key absent (or undefined) is not set.
 * Groups without settings are ignored.
 *
 * @param cfg - the quota settings.
 * @param user - the user's name and groups.
 * @returns the limits that apply to the user.
 */
export function effectiveQuota(
  cfg: QuotaConfig,
  user: { name: string; groups: readonly string[] }
): Quota {
  const own = entry(cfg.users, user.name);
  const groups = user.groups.map((g) => entry(cfg.groups, g));
  const resolve = (key: QuotaKey): number | null => {
    // Not `??`: null (unlimited) is a value that wins, only undefined means "not set here".
    const fromUser = setting(own, key);
    if (fromUser !== undefined) return fromUser;
    const fromGroups = groupValue(groups, key);
    if (fromGroups !== undefined) return fromGroups;
    return setting(cfg.default, key) ?? null;
  };
  return {
    maxClusters: resolve('maxClusters'),
    maxWorkers: resolve('maxWorkers'),
    maxCores: resolve('maxCores'),
    maxMemory: resolve('maxMemory'),
  };
}

/** A core count for messages: at most three decimals, so 0.1 + 0.2 prints as 0.3. */
function coreNumber(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** A core count with its unit: `1 core`, `0.5 cores`, `16 cores`. */
function cores(n: number): string {
  return plural(coreNumber(n), 'core');
}

/** Whether holding `used + more` would go over `max`; adding nothing never does. */
function exceeds(max: number, used: number, more: number): boolean {
  return more > 0 && used + more > max + EPSILON;
}

/** The refusal when one more cluster would break `max_clusters`, or null. */
function clustersRefusal(max: number | null, usage: Usage): string | null {
  if (max === null || !exceeds(max, usage.clusters, 1)) return null;
  if (max <= 0) return 'Your quota does not allow you to start clusters (quota max_clusters is 0).';
  return (
    `You have ${plural(usage.clusters, 'active cluster')}, the limit is ${max} ` +
    '(quota max_clusters). Stop one of them before starting another.'
  );
}

/** The refusal when the scheduler's cores would break `max_cores`, or null. */
function coresRefusal(max: number | null, usage: Usage, need: number): string | null {
  if (max === null || !exceeds(max, usage.cores, need)) return null;
  if (max <= 0)
    return (
      'Your quota does not allow you to use any cores (quota max_cores is 0), ' +
      `so you may not start clusters: a scheduler needs ${cores(need)}.`
    );
  return (
    `Starting a cluster needs ${cores(need)} for its scheduler, but you are using ` +
    `${coreNumber(usage.cores)} of your quota of ${cores(max)} (quota max_cores). ` +
    'Stop or scale down a cluster first.'
  );
}

/** The refusal when the scheduler's memory would break `max_memory`, or null. */
function memoryRefusal(max: number | null, usage: Usage, need: number): string | null {
  if (max === null || !exceeds(max, usage.memory, need)) return null;
  if (max <= 0)
    return (
      'Your quota does not allow you to use any memory (quota max_memory is 0), ' +
      `so you may not start clusters: a scheduler needs ${formatBytes(need)}.`
    );
  return (
    `Starting a cluster needs ${formatBytes(need)} of memory for its scheduler, but you are ` +
    `using ${formatBytes(usage.memory)} of your quota of ${formatBytes(max)} (quota max_memory). ` +
    'Stop or scale down a cluster first.'
  );
}

/**
 * A create refused by the quota: null when allowed, else the message naming the limit and the
 * current use, e.g. "You have 2 active clusters, the limit is 2 (quota max_clusters). Stop one of
 * them before starting another."
 *
 * A new cluster counts as one more cluster plus its scheduler's cores and memory; it starts with
 * no workers, so `max_workers` is not checked here. Limits are checked in the order clusters,
 * cores, memory and the first one broken is reported. Adding nothing never breaks a limit, so a
 * scheduler of 0 cores is allowed even when the user is already above `max_cores`.
 *
 * @param q - the user's effective quota.
 * @param usage - everything the user holds now (active clusters, schedulers included).
 * @param schedulerCores - the new cluster's scheduler cores.
 * @param schedulerMemory - the new cluster's scheduler memory, in bytes.
 * @returns null when the create is allowed, else why not.
 */
export function checkCreate(
  q: Quota,
  usage: Usage,
  schedulerCores: number,
  schedulerMemory: number
): string | null {
  return (
    clustersRefusal(q.maxClusters, usage) ??
    coresRefusal(q.maxCores, usage, schedulerCores) ??
    memoryRefusal(q.maxMemory, usage, schedulerMemory)
  );
}

/** One limit on the worker count: how many workers it allows and how to explain a clamp. */
interface WorkerLimit {
  readonly allowed: number;
  readonly explain: (requested: number, count: number) => string;
}

/** How many workers of size `each` fit into `max` with `used` taken; unlimited when `each` is 0. */
function workersWithin(max: number, used: number, each: number): number {
  if (each <= 0) return Infinity;
  return Math.floor((max - used) / each + EPSILON);
}

/** The clamp message shared by every limit. */
function clampMessage(requested: number, quota: string, used: string, count: number): string {
  return (
    `Scale request of ${plural(requested, 'worker')} would exceed your quota of ${quota} ` +
    `(${used} already in use). Scaling to ${count} instead.`
  );
}

/** The limits that apply to the worker count, in the order they are reported on a tie. */
function workerLimits(
  q: Quota,
  others: Usage,
  workerCores: number,
  workerMemory: number
): WorkerLimit[] {
  const limits: WorkerLimit[] = [];
  const { maxWorkers, maxCores, maxMemory } = q;
  if (maxWorkers !== null)
    limits.push({
      allowed: Math.floor(maxWorkers - others.workers + EPSILON),
      explain: (requested, count) =>
        maxWorkers <= 0
          ? 'Your quota does not allow any workers (quota max_workers is 0). Scaling to 0 instead.'
          : clampMessage(requested, plural(maxWorkers, 'worker'), String(others.workers), count),
    });
  if (maxCores !== null)
    limits.push({
      allowed: workersWithin(maxCores, others.cores, workerCores),
      explain: (requested, count) =>
        clampMessage(requested, cores(maxCores), coreNumber(others.cores), count),
    });
  if (maxMemory !== null)
    limits.push({
      allowed: workersWithin(maxMemory, others.memory, workerMemory),
      explain: (requested, count) =>
        clampMessage(
          requested,
          `${formatBytes(maxMemory)} memory`,
          formatBytes(others.memory),
          count
        ),
    });
  return limits;
}

/**
 * How many workers of (cores, memory) a cluster may have given the user's other usage; returns
 * {count, msg|null} where msg explains the clamp naming the limit and current use, e.g. "Scale
 * request of 10 workers would exceed your quota of 16 cores (12 already in use). Scaling to 2
 * instead."
 *
 * `usageOfOthers` is everything the user holds apart from this cluster's workers: their other
 * clusters and this cluster's own scheduler, which counts toward `max_cores` and `max_memory` like
 * any other (so the message says "already in use", not "in use by your other clusters"). When
 * several limits clamp, the one allowing the fewest workers is named (on a tie: workers, then
 * cores, then memory). A limit already exceeded by `usageOfOthers` allows 0 workers, never a
 * negative count. Workers of 0 cores (or 0 bytes) are not limited by `max_cores` (or
 * `max_memory`).
 *
 * @param q - the user's effective quota.
 * @param usageOfOthers - what the user holds apart from this cluster's workers.
 * @param requested - the worker count asked for.
 * @param workerCores - the cores of one worker.
 * @param workerMemory - the memory of one worker, in bytes.
 * @returns the worker count to use, and null or the message explaining why it is lower.
 */
export function clampWorkers(
  q: Quota,
  usageOfOthers: Usage,
  requested: number,
  workerCores: number,
  workerMemory: number
): { count: number; msg: string | null } {
  let binding: WorkerLimit | null = null;
  for (const limit of workerLimits(q, usageOfOthers, workerCores, workerMemory)) {
    if (limit.allowed < requested && (binding === null || limit.allowed < binding.allowed))
      binding = limit;
  }
  if (binding === null) return { count: requested, msg: null };
  const count = Math.max(0, binding.allowed);
  return { count, msg: binding.explain(requested, count) };
}
