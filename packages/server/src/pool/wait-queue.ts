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
}

/** Told of every change, to persist it: the entry as it is now, or null when it left. */
export type WaitQueueListener = (cluster: string, entry: WaitEntry | null) => void;

/** Orders two entries: less recent usage first, then first come, then by cluster name. */
function compare(usage: (user: string) => number, a: WaitEntry, b: WaitEntry): number {
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
