/**
 * The pool in `when_full: queue` mode: workers that do not fit wait in the gateway's own queue
 * and are granted, as machines free up, in fair-share order (least recent usage first, then
 * first come). The gateway never books workers beyond what fits, so no engine reorders them.
 * @module
 */
import type { ClusterRecord } from '../clusters/model.js';
import type { Clock } from '../clock.js';
import { decayedCoreHours, fairShareWindow } from './fair-share.js';
import { maxFitting, type MachineType } from './packing.js';
import type { PoolLedger } from './pool-ledger.js';
import type { UsageInterval } from './usage-hours.js';
import { ordinal, plural } from './wording.js';
import { WaitQueue, type WaitEntry, type WaitQueueListener } from './wait-queue.js';

/** How long a user's scale outranks heartbeats that may not reflect it yet (ms). */
const RECENT_SCALE_MS = 30_000;

/** How long usage read for the fair-share order counts as current (ms). */
const USAGE_FRESH_MS = 1_000;

/** What a cluster got from the queue: its workers now, all it wants, its place if it waits. */
export interface QueuedCount {
  readonly count: number;
  readonly wanted: number;
  readonly position: number | null;
}

/** The answer to a scale that waits: "2 workers now, 6 waiting for machines (2nd in line)". */
export function queuedMessage(q: QueuedCount): string | null {
  if (q.count >= q.wanted) return null;
  const place = q.position === null ? '' : ` (${ordinal(q.position)} in line)`;
  return `${plural(q.count, 'worker')} now, ${String(q.wanted - q.count)} waiting for machines${place}`;
}

/** Told when waiting workers are granted (the manager starts them). */
export type GrantListener = (c: ClusterRecord, granted: QueuedCount) => void;

/** The queue's settings. */
export interface QueueSettings {
  /** Half-life of recorded usage in the fair-share order (ms). */
  readonly halfLifeMs: number;
  /** The usage intervals recorded since a time (ms): the fair share's only source. */
  readonly usage?: (since: number) => Promise<readonly UsageInterval[]>;
  /** Told of every change of the queue (to persist it). */
  readonly persist?: WaitQueueListener;
}

/** The pool's machine types and per-user cap, as they are now. */
export type PoolShape = () => { types: readonly MachineType[]; cap: number | null };

/** One entry as the queue's views show it. */
export interface QueueView extends WaitEntry {
  readonly position: number;
  readonly granted: number;
  readonly usage: number;
}

/** Workers granted to a waiting cluster by one pass. */
interface Grant {
  readonly c: ClusterRecord;
  readonly to: number;
  readonly wanted: number;
}

/** The wait queue with its grant pass. */
export class PoolQueue {
  readonly #waiting: WaitQueue;
  readonly #ledger: PoolLedger;
  readonly #shape: PoolShape;
  readonly #clock: Clock;
  readonly #settings: QueueSettings;
  #usage = new Map<string, number>();
  #usageAt = -Infinity;
  #listener: GrantListener = () => undefined;
  #settling: Promise<void> | null = null;
  /** Whether room may have freed since the last grant walk. */
  #roomFreed = true;
  /** Settles asked for while one ran (it then runs once more). */
  #asked = 0;

  constructor(ledger: PoolLedger, shape: PoolShape, clock: Clock, settings: QueueSettings) {
    this.#ledger = ledger;
    this.#shape = shape;
    this.#clock = clock;
    this.#settings = settings;
    this.#waiting = new WaitQueue(settings.persist);
  }

  /** Takes back the entries persisted before a restart. */
  load(entries: Iterable<WaitEntry>): void {
    this.#waiting.load(entries);
  }

  /** Sets who is told of grants. */
  onGrant(listener: GrantListener): void {
    this.#listener = listener;
  }

  /** A user's recent usage in decayed core-hours (as last refreshed). */
  usageOf = (user: string): number => this.#usage.get(user) ?? 0;

  /**
   * Books what `c` may have of `wanted` workers now and queues the rest. `reserve` is a
   * user's scale; `observe` a heartbeat's count (an adaptive cluster's wish, or the echo of a
   * scale, which never lowers what a scale asked moments ago).
   */
  limit(c: ClusterRecord, wanted: number, mode: 'reserve' | 'observe'): QueuedCount {
    const now = this.#clock.now();
    const held = this.#ledger.workersOf(c);
    const entry = this.#waiting.get(c.name);
    const lagging =
      mode === 'observe' && entry !== undefined && now - entry.updated < RECENT_SCALE_MS;
    if (wanted <= held && !lagging) {
      this.#waiting.leave(c.name);
      if (mode === 'reserve') this.#ledger.reserve(c.name, wanted);
      else this.#ledger.follow(c.name, wanted);
      if (wanted < held && this.#waiting.size > 0) {
        this.#roomFreed = true;
        void this.settle();
      }
      return { count: wanted, wanted, position: null };
    }
    if (!lagging) this.#waiting.want(c.name, c.username, wanted, now, mode === 'reserve');
    if (mode === 'reserve') this.#ledger.reserve(c.name, held);
    // A heartbeat repeating a wish while no room freed since the last walk needs no new walk
    // (the cost of each waiting cluster's heartbeat on a busy pool).
    const same = mode === 'observe' && this.#waiting.get(c.name) === entry && !this.#roomFreed;
    // A scale's own grant is its answer; a heartbeat's is announced like any other.
    if (!same) this.#notify(this.#pass(), mode === 'reserve' ? c.name : undefined);
    const count = Math.min(wanted, this.#ledger.workersOf(c));
    return { count, wanted, position: this.#waiting.position(c.name, this.usageOf) };
  }

  /** Takes a cluster that stopped out of the queue, and grants the room it leaves. */
  release(name: string): void {
    this.#roomFreed = true;
    this.#waiting.leave(name);
    if (this.#waiting.size > 0) void this.settle();
  }

  /** An admin's move of `name` to place `position` in line; false when it does not wait. */
  move(name: string, position: number): boolean {
    if (!this.#waiting.move(name, position, this.usageOf)) return false;
    void this.settle();
    return true;
  }

  /** Where `name` waits, or null. */
  queued(name: string): { wanted: number; position: number } | null {
    const e = this.#waiting.get(name);
    const position = this.#waiting.position(name, this.usageOf);
    return e === undefined || position === null ? null : { wanted: e.wanted, position };
  }

  /** The whole queue in grant order. */
  view(): QueueView[] {
    const held = new Map([...this.#ledger.active()].map((c) => [c.name, c]));
    return this.#waiting.ordered(this.usageOf).map((e, i) => {
      const c = held.get(e.cluster);
      return {
        ...e,
        position: i + 1,
        granted: c === undefined ? 0 : this.#ledger.workersOf(c),
        usage: this.usageOf(e.user),
      };
    });
  }

  /**
   * Refreshes the users' recent usage, then grants what fits in fair-share order and tells
   * the listener. Calls while one runs make it run once more.
   */
  settle(): Promise<void> {
    if (this.#settling !== null) {
      this.#asked++;
      return this.#settling;
    }
    this.#settling = (async () => {
      let seen: number;
      do {
        seen = this.#asked;
        await this.#refreshUsage();
        this.#notify(this.#pass());
      } while (this.#asked !== seen);
    })().finally(() => {
      this.#settling = null;
    });
    return this.#settling;
  }

  /**
   * Reads the users' recent usage again unless it was read in the last second (a scale reads
   * it first, so the place in line it answers with is current).
   */
  async refreshUsage(): Promise<void> {
    if (this.#clock.now() - this.#usageAt < USAGE_FRESH_MS) return;
    await this.#refreshUsage();
  }

  async #refreshUsage(): Promise<void> {
    const source = this.#settings.usage;
    if (source === undefined) return;
    const { halfLifeMs } = this.#settings;
    this.#usageAt = this.#clock.now();
    try {
      const rows = await source(this.#clock.now() - fairShareWindow(halfLifeMs));
      this.#usage = decayedCoreHours(rows, this.#clock.now(), halfLifeMs);
    } catch {
      // The order stays as last known; the next settle reads again.
    }
  }

  /** Grants waiting workers in fair-share order, as many as fit; returns the grants. */
  #pass(): Grant[] {
    this.#roomFreed = false;
    if (this.#waiting.size === 0) return [];
    const live = new Map([...this.#ledger.active()].map((c) => [c.name, c]));
    const grants: Grant[] = [];
    for (const e of this.#waiting.ordered(this.usageOf)) {
      const c = live.get(e.cluster);
      if (c === undefined) {
        this.#waiting.leave(e.cluster); // it stopped
        continue;
      }
      const held = this.#ledger.workersOf(c);
      const to = Math.min(e.wanted, Math.max(held, this.#fit(c, e.wanted)));
      if (to > held) {
        this.#ledger.reserve(c.name, to);
        grants.push({ c, to, wanted: e.wanted });
      }
      if (to >= e.wanted) this.#waiting.leave(e.cluster);
    }
    return grants;
  }

  /** How many of `wanted` workers of `c` the pool can hold beside everyone else. */
  #fit(c: ClusterRecord, wanted: number): number {
    const { types, cap } = this.#shape();
    const others = this.#ledger.allDemands(c.name);
    const [workers, ...rest] = this.#ledger.demandsOf(c, wanted);
    if (workers === undefined) return wanted;
    return maxFitting(types, [...others, ...rest], workers, cap);
  }

  #notify(grants: readonly Grant[], except?: string): void {
    for (const g of grants) {
      if (g.c.name === except) continue;
      const position = this.#waiting.position(g.c.name, this.usageOf);
      this.#listener(g.c, { count: g.to, wanted: g.wanted, position });
    }
  }
}
