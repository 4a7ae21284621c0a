/**
 * The pool's wait queue: per cluster, the workers it wants beyond what the pool granted, and
 * the fair-share order they are granted in (the user with the least recent usage first, then
 * first come). Pure bookkeeping: the grant pass (`queue-grants.ts`) decides what fits.
 * @module
 */

/** One cluster waiting for machines. */
export interface WaitEntry {
  readonly cluster: string;
  readonly user: string;
  /** The worker count the cluster wants in all (granted ones included). */
  readonly wanted: number;
  /** When it joined the queue (ms): first come among equal usage. */
  readonly since: number;
  /** When its wanted count was last set by a scale (ms); heartbeats older than that lag. */
  readonly updated: number;
  /**
   * An admin's placement: pinned entries go ahead of the rest, lowest first; null (or absent)
   * follows fair share.
   */
  readonly pinned?: number | null;
}

/** Told of every change, to persist it: the entry as it is now, or null when it left. */
export type WaitQueueListener = (cluster: string, entry: WaitEntry | null) => void;

/**
 * Orders two entries: an admin's pinned ones first (lowest pin first), then less recent usage,
 * then first come, then by cluster name.
 */
function compare(usage: (user: string) => number, a: WaitEntry, b: WaitEntry): number {
  const pa = a.pinned ?? Infinity;
  const pb = b.pinned ?? Infinity;
  if (pa !== pb) return pa < pb ? -1 : 1;
  const ua = usage(a.user);
  const ub = usage(b.user);
  if (ua !== ub) return ua - ub;
  if (a.since !== b.since) return a.since - b.since;
  return a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0;
}

/** The clusters waiting for machines. */
export class WaitQueue {
  readonly #entries = new Map<string, WaitEntry>();
  readonly #listener: WaitQueueListener;

  constructor(listener: WaitQueueListener = () => undefined) {
    this.#listener = listener;
  }

  /** Takes entries back from the store (a restart); nothing is persisted again. */
  load(entries: Iterable<WaitEntry>): void {
    for (const e of entries) this.#entries.set(e.cluster, e);
  }

  /** How many clusters wait. */
  get size(): number {
    return this.#entries.size;
  }

  /** The entry of `cluster`, if it waits. */
  get(cluster: string): WaitEntry | undefined {
    return this.#entries.get(cluster);
  }

  /**
   * Records that `cluster` wants `wanted` workers in all; a cluster already waiting keeps its
   * place (`since`). `byScale` marks a user's scale (heartbeats may lag behind it).
   */
  want(cluster: string, user: string, wanted: number, now: number, byScale: boolean): WaitEntry {
    const known = this.#entries.get(cluster);
    const entry: WaitEntry = {
      cluster,
      user,
      wanted,
      since: known?.since ?? now,
      updated: byScale ? now : (known?.updated ?? 0),
      pinned: known?.pinned ?? null,
    };
    if (known?.wanted !== wanted || known.updated !== entry.updated) {
      this.#entries.set(cluster, entry);
      this.#listener(cluster, entry);
    }
    return entry;
  }

  /** Takes `cluster` out of the queue; whether it was in. */
  leave(cluster: string): boolean {
    if (!this.#entries.delete(cluster)) return false;
    this.#listener(cluster, null);
    return true;
  }

  /**
   * An admin's move of `cluster` to place `position` (1-based, clipped to the line): it and
   * every entry ahead of it are pinned in their new order, so the place holds while usage
   * changes; the entries behind keep following fair share. False when it does not wait.
   */
  move(cluster: string, position: number, usage: (user: string) => number): boolean {
    const order = this.ordered(usage);
    const entry = order.find((e) => e.cluster === cluster);
    if (entry === undefined) return false;
    const rest = order.filter((e) => e !== entry);
    const at = Math.max(0, Math.min(rest.length, position - 1));
    const ahead = [...rest.slice(0, at), entry];
    const behind = rest.slice(at);
    ahead.forEach((e, i) => {
      this.#set({ ...e, pinned: i + 1 });
    });
    for (const e of behind) if ((e.pinned ?? null) !== null) this.#set({ ...e, pinned: null });
    return true;
  }

  #set(e: WaitEntry): void {
    this.#entries.set(e.cluster, e);
    this.#listener(e.cluster, e);
  }

  /** Every waiting entry in grant order, given each user's recent usage. */
  ordered(usage: (user: string) => number): WaitEntry[] {
    return [...this.#entries.values()].sort((a, b) => compare(usage, a, b));
  }

  /** The 1-based place of `cluster` in grant order, or null when it does not wait. */
  position(cluster: string, usage: (user: string) => number): number | null {
    const i = this.ordered(usage).findIndex((e) => e.cluster === cluster);
    return i < 0 ? null : i + 1;
  }
}
