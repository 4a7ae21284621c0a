/**
 * Packing of cluster demands onto the shared pool of worker machines: given the machine types an
 * admin configured and the room every cluster wants, decide deterministically which machines the
 * slots would occupy, whether everything fits, and how many more slots one cluster may take.
 *
 * The model is pure accounting (no I/O): it never talks to a backend, it answers "would this fit".
 *
 * Machines are not shared between users: a machine hosts the slots of one user only. That makes
 * a user's machine count well defined — it is the number of machines their slots occupy,
 * independent of what anybody else runs — so a per-user share cap ("at most 5 machines each")
 * means something, and it matches the product rule that every two Small workers start a machine.
 * The cost is some unused room when a user's slots do not fill their last machine.
 *
 * Placement is first-fit: demands are taken in (order, cluster) order, and each slot goes onto the
 * first of its user's already-open machines with room, else onto a new machine of the first
 * machine type (config order) that has an unused machine big enough for it.
 * @module
 */

/** A kind of machine in the shared pool. */
export interface MachineType {
  /** The type's name, unique among the configured types; shown in placements. */
  readonly name: string;
  /** Cores of one machine; fractional values are allowed. */
  readonly cores: number;
  /** Memory of one machine, in bytes. */
  readonly memory: number;
  /** How many machines of this type exist at most. */
  readonly count: number;
}

/**
 * Room wanted by one cluster: `count` identical slots (workers, or the scheduler when schedulers
 * take pool room).
 */
export interface Demand {
  /** The user who owns the cluster; machines are never shared between users. */
  readonly user: string;
  /** The cluster the slots belong to. */
  readonly cluster: string;
  /** Cores of one slot. */
  readonly cores: number;
  /** Memory of one slot, in bytes. */
  readonly memory: number;
  /** How many identical slots are wanted. */
  readonly count: number;
  /** Creation time: earlier demands are placed first. */
  readonly order: number;
}

/** One machine in use and the slots placed on it. */
export interface Placement {
  /** The name of the machine's type. */
  readonly machineType: string;
  /** The machine's number within its type, from 0, in opening order. */
  readonly index: number;
  /** The only user whose slots run on this machine. */
  readonly user: string;
  /** The slots on the machine, in placement order. */
  readonly slots: ReadonlyArray<{ cluster: string; cores: number; memory: number }>;
}

/** The outcome of packing every demand onto the pool. */
export interface PackResult {
  /** True when every slot of every demand was placed. */
  readonly fits: boolean;
  /** How many slots could not be placed. */
  readonly unplaced: number;
  /** The machines in use, in opening order. */
  readonly machines: readonly Placement[];
  /** How many machines are in use (`machines.length`). */
  readonly machinesUsed: number;
  /** Machines in use per user, in order of each user's first machine; users without are absent. */
  readonly machinesByUser: ReadonlyMap<string, number>;
  /** How many users hold at least one machine. */
  readonly usersWithMachines: number;
}

/**
 * Slack when comparing sizes, so that fractional cores which add up exactly on paper
 * (0.1 + 0.2 next to 0.3) still fit.
 */
const EPSILON = 1e-9;

/** One slot as placed on a machine. */
interface Slot {
  cluster: string;
  cores: number;
  memory: number;
}

/** A machine opened during packing, with the room it has left. */
interface OpenMachine {
  readonly type: MachineType;
  readonly index: number;
  readonly user: string;
  freeCores: number;
  freeMemory: number;
  readonly slots: Slot[];
}

/** The pool while packing: machines left per type and machines opened so far. */
interface PoolState {
  readonly types: readonly MachineType[];
  /** Unused machines left, per type (same positions as `types`). */
  readonly unused: number[];
  readonly machines: OpenMachine[];
  readonly byUser: Map<string, OpenMachine[]>;
}

/** What packing found beyond the public result, for {@link maxFitting}. */
interface PackRun {
  readonly state: PoolState;
  /** Slots placed per demand, by the demand's position in the input. */
  readonly placed: readonly number[];
  /**
   * For the tracked demand only: the number of machines its user holds right after each of its
   * placed slots (entry `i` is after slot `i + 1`).
   */
  readonly trackedUserMachines: readonly number[];
}

/** A count as a whole number of items: fractions are dropped, anything invalid is 0. */
function wholeCount(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** A size that can be placed: finite and not negative. */
function validSize(n: number): boolean {
  return Number.isFinite(n) && n >= 0;
}

/** Whether `need` fits into `free`, with {@link EPSILON} slack. */
function within(need: number, free: number): boolean {
  return need <= free + EPSILON;
}

/** Compares two strings by code unit, independently of the locale. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The order demands are placed in: by `order`, then `cluster`; remaining ties (such as a
 * cluster's scheduler and workers) by user, then larger slots first. Demands still tied have
 * identical slots, so which goes first cannot change the result; the caller keeps input order.
 */
function compareDemands(a: Demand, b: Demand): number {
  return (
    a.order - b.order ||
    compareStrings(a.cluster, b.cluster) ||
    compareStrings(a.user, b.user) ||
    b.cores - a.cores ||
    b.memory - a.memory
  );
}

/** An empty pool of the configured machine types. */
function emptyPool(types: readonly MachineType[]): PoolState {
  return { types, unused: types.map((t) => wholeCount(t.count)), machines: [], byUser: new Map() };
}

/** Puts a slot onto a machine that has room for it. */
function putSlot(machine: OpenMachine, slot: Slot): void {
  machine.freeCores -= slot.cores;
  machine.freeMemory -= slot.memory;
  machine.slots.push(slot);
}

/** Whether a machine has room left for a slot. */
function hasRoom(machine: OpenMachine, slot: Slot): boolean {
  return within(slot.cores, machine.freeCores) && within(slot.memory, machine.freeMemory);
}

/** Opens a machine for `user`: the first type (config order) with an unused machine fitting. */
function openMachine(pool: PoolState, user: string, slot: Slot): OpenMachine | null {
  const position = pool.types.findIndex(
    (t, i) =>
      (pool.unused[i] ?? 0) > 0 && within(slot.cores, t.cores) && within(slot.memory, t.memory)
  );
  const type = pool.types[position];
  if (type === undefined) return null;
  const left = pool.unused[position] ?? 0;
  pool.unused[position] = left - 1;
  const machine: OpenMachine = {
    type,
    index: wholeCount(type.count) - left,
    user,
    freeCores: type.cores,
    freeMemory: type.memory,
    slots: [],
  };
  pool.machines.push(machine);
  const own = pool.byUser.get(user);
  if (own === undefined) pool.byUser.set(user, [machine]);
  else own.push(machine);
  return machine;
}

/**
 * Places one slot of `user` first-fit, looking at their machines from position `from` on (the
 * caller knows the earlier ones are full for this slot), else on a newly opened machine.
 *
 * @returns the position of the machine among the user's machines, or -1 when none can take it.
 */
function placeSlot(pool: PoolState, user: string, slot: Slot, from: number): number {
  if (!validSize(slot.cores) || !validSize(slot.memory)) return -1;
  const own = pool.byUser.get(user) ?? [];
  for (let i = from; i < own.length; i += 1) {
    const machine = own[i] as OpenMachine;
    if (hasRoom(machine, slot)) {
      putSlot(machine, slot);
      return i;
    }
  }
  const opened = openMachine(pool, user, slot);
  if (opened === null) return -1;
  putSlot(opened, slot);
  return machinesOf(pool, user) - 1;
}

/** How many machines `user` holds. */
function machinesOf(pool: PoolState, user: string): number {
  return pool.byUser.get(user)?.length ?? 0;
}

/**
 * Places the slots of one demand and returns how many were placed. The slots are identical, so a
 * machine too full for one is too full for the next: each search starts where the last slot went.
 * Once a slot fails, the rest fail too (nothing changed), so placing stops there: for slots of
 * some size the work is bounded by what the pool can hold, however many slots are asked for.
 */
function placeDemand(pool: PoolState, demand: Demand, afterEach?: number[]): number {
  const wanted = wholeCount(demand.count);
  let placed = 0;
  let from = 0;
  while (placed < wanted) {
    const slot = { cluster: demand.cluster, cores: demand.cores, memory: demand.memory };
    from = placeSlot(pool, demand.user, slot, from);
    if (from === -1) break;
    placed += 1;
    afterEach?.push(machinesOf(pool, demand.user));
  }
  return placed;
}

/** Packs every demand; `tracked` is the input position of a demand whose progress is recorded. */
function run(types: readonly MachineType[], demands: readonly Demand[], tracked = -1): PackRun {
  const pool = emptyPool(types);
  const placed = demands.map(() => 0);
  const trackedUserMachines: number[] = [];
  const positions = demands.map((_, i) => i);
  positions.sort((i, j) => compareDemands(demands[i] as Demand, demands[j] as Demand) || i - j);
  for (const i of positions) {
    const demand = demands[i] as Demand;
    placed[i] = placeDemand(pool, demand, i === tracked ? trackedUserMachines : undefined);
  }
  return { state: pool, placed, trackedUserMachines };
}

/** The public result of a packing run. */
function toResult(demands: readonly Demand[], packed: PackRun): PackResult {
  const wanted = demands.reduce((sum, d) => sum + wholeCount(d.count), 0);
  const placed = packed.placed.reduce((sum, n) => sum + n, 0);
  const machines: Placement[] = packed.state.machines.map((m) => ({
    machineType: m.type.name,
    index: m.index,
    user: m.user,
    slots: m.slots.map((s) => ({ ...s })),
  }));
  const machinesByUser = new Map<string, number>();
  for (const [user, own] of packed.state.byUser) machinesByUser.set(user, own.length);
  return {
    fits: placed === wanted,
    unplaced: wanted - placed,
    machines,
    machinesUsed: machines.length,
    machinesByUser,
    usersWithMachines: machinesByUser.size,
  };
}

/**
 * Packs demands onto the pool, first-fit and deterministically (see the module comment).
 *
 * Cores and memory are both capacities; fractional cores are allowed. A slot larger than every
 * machine type, or with a negative or non-finite size, is never placed. Counts are whole numbers:
 * fractions are dropped and negative counts are 0. Machine type names should be unique, since
 * placements name machines by type name and index.
 *
 * @param types - the machine types, in config order (earlier types are opened first).
 * @param demands - the room every cluster wants, in any order.
 * @returns where every slot went, how many could not be placed, and machine counts per user.
 */
export function pack(types: readonly MachineType[], demands: readonly Demand[]): PackResult {
  return toResult(demands, run(types, demands));
}

/** How many `candidate` slots can be placed at most, and the user's machines after each. */
interface Ceiling {
  readonly slots: number;
  readonly userMachinesAfter: readonly number[];
}

/** Whether, with `k` candidate slots, all of them are placed and no other demand lost a slot. */
function acceptable(
  types: readonly MachineType[],
  demands: readonly Demand[],
  baseline: PackRun,
  k: number,
  machineLimit: number
): boolean {
  const last = demands.length - 1;
  const withK = demands.map((d, i) => (i === last ? { ...d, count: k } : d));
  const packed = run(types, withK);
  const user = (demands[last] as Demand).user;
  if (machinesOf(packed.state, user) > machineLimit) return false;
  return packed.placed.every((n, i) => (i === last ? n === k : n >= (baseline.placed[i] ?? 0)));
}

/** How many candidate slots the per-user machine limit leaves room for, given the ceiling. */
function slotsWithinMachineLimit(ceiling: Ceiling, machineLimit: number): number {
  const over = ceiling.userMachinesAfter.findIndex((n) => n > machineLimit);
  return over === -1 ? ceiling.slots : over;
}

/**
 * The largest k in 0..`high` for which `test(k)` holds, given that `test(0)` holds and assuming
 * that whenever `test(k)` holds so does `test(k - 1)`. Tries `high` first, the common answer.
 */
function largestTrue(high: number, test: (k: number) => boolean): number {
  if (high <= 0 || test(high)) return Math.max(high, 0);
  let good = 0;
  let bad = high;
  while (bad - good > 1) {
    const mid = good + Math.floor((bad - good) / 2);
    if (test(mid)) good = mid;
    else bad = mid;
  }
  return good;
}

/**
 * The largest k <= wanted such that `pack(types, [...others, {...candidate, count: k}])` fits,
 * also respecting an optional per-user machine cap.
 *
 * `wanted` is `candidate.count`. "Fits" is judged against what `others` already achieve on their
 * own: all k candidate slots must be placed and no other demand may place fewer slots than it does
 * without the candidate. When `others` fit by themselves (the normal case) that is exactly
 * `pack(...).fits`; when they do not (say an admin shrank the pool, or a stale cluster asks for a
 * slot no machine can hold), their shortfall does not block everybody else, but the candidate may
 * still never take room they hold or would get.
 *
 * The cap limits the machines the candidate's user holds in the whole packing (all their clusters).
 * A user already above the cap may still add slots that ride on machines they hold, but may not
 * make their machine count grow.
 *
 * The answer is found by binary search between 0 and the most slots the pool could place for
 * the candidate, so it costs a logarithmic number of packings. That assumes that when k fits,
 * every smaller k fits too. First-fit is not proven monotone in general, but no counterexample
 * turned up in over a million random pools of one to three machine types; were one to exist, the
 * result would still fit, only perhaps not be the largest k that does.
 *
 * @param types - the machine types, in config order.
 * @param others - every other demand in the pool, including the candidate user's other clusters.
 * @param candidate - the demand to size; its `count` is the number wanted.
 * @param userMachineCap - the most machines one user may hold; null or absent for no cap.
 * @returns the number of candidate slots that may be granted, from 0 to `candidate.count`.
 */
export function maxFitting(
  types: readonly MachineType[],
  others: readonly Demand[],
  candidate: Demand,
  userMachineCap?: number | null
): number {
  const baseline = run(types, others);
  const demands = [...others, candidate];
  const top = run(types, demands, others.length);
  const ceiling: Ceiling = {
    slots: top.placed[others.length] ?? 0,
    userMachinesAfter: top.trackedUserMachines,
  };
  const machineLimit =
    userMachineCap === null || userMachineCap === undefined
      ? Infinity
      : Math.max(userMachineCap, machinesOf(baseline.state, candidate.user));
  const fitsWith = (k: number): boolean => acceptable(types, demands, baseline, k, machineLimit);
  return largestTrue(slotsWithinMachineLimit(ceiling, machineLimit), fitsWith);
}
