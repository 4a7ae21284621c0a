/**
 * Creates accepted by the quota but not yet in the cluster list. A create awaits its TLS
 * material and its store insert before the record is listed; counting these reservations as
 * active clusters makes "check the quota" and "take the slot" one synchronous step, so parallel
 * creates cannot all pass the same check.
 * @module
 */

/** One reserved create; `release` is idempotent. */
export interface CreateReservation {
  /** Gives the slot back (the record is now listed, or the create failed). */
  release(): void;
}

/** What a user's pending creates hold, in the units of a quota's usage. */
export interface PendingUse {
  readonly clusters: number;
  readonly cores: number;
  readonly memory: number;
}

/** The pending creates of every user. */
export class CreateReservations {
  readonly #pending = new Map<string, Set<PendingUse>>();

  /** Reserves one cluster's scheduler for `username`. */
  add(username: string, cores: number, memory: number): CreateReservation {
    const entry: PendingUse = { clusters: 1, cores, memory };
    const mine = this.#pending.get(username) ?? new Set<PendingUse>();
    mine.add(entry);
    this.#pending.set(username, mine);
    return {
      release: () => {
        mine.delete(entry);
        if (mine.size === 0 && this.#pending.get(username) === mine) {
          this.#pending.delete(username);
        }
      },
    };
  }

  /** What `username`'s pending creates hold together. */
  of(username: string): PendingUse {
    let clusters = 0;
    let cores = 0;
    let memory = 0;
    for (const p of this.#pending.get(username) ?? []) {
      clusters += p.clusters;
      cores += p.cores;
      memory += p.memory;
    }
    return { clusters, cores, memory };
  }
}
