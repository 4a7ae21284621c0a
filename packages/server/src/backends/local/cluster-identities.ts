/**
 * The local backend's per-cluster identities when clusters are isolated: the uid, gid and
 * loopback address each active cluster holds (allocated from the configured range, taken back
 * at adoption, released at stop), the firewall told about them, and the sweep that frees a uid
 * no active cluster holds.
 * @module
 */
import type { Logger } from 'pino';
import type { ClusterRecord } from '../../clusters/model.js';
import { decodeLocalState } from './local-state.js';
import {
  identityForSlot,
  lowestFreeSlot,
  type ClusterFirewall,
  type ClusterIdentity,
  type IdRange,
} from './isolation.js';
import type { UidClaims } from './uid-claims.js';
import { killUid } from './uid-kill.js';
import {
  SHARED_TEMP_DIRECTORIES,
  removeFilesOwnedBy,
  uidsRunningProcesses,
} from './uid-occupancy.js';

/** Per-cluster uids (the gateway runs as root), and the firewall told about them. */
export interface LocalIsolation {
  readonly uids: IdRange;
  /** The host-wide claims every gateway on this host takes before it gives a uid out. */
  readonly claims: UidClaims;
  /** Optional: the network firewall (allow at start, remove at stop, sync at adoption). */
  readonly firewall?: ClusterFirewall;
}

/** The identities of active clusters, by cluster name (none without isolation). */
export class ClusterIdentities {
  readonly #byCluster = new Map<string, ClusterIdentity>();
  readonly #isolation: LocalIsolation | undefined;
  readonly #log: Logger;

  constructor(isolation: LocalIsolation | undefined, log: Logger) {
    this.#isolation = isolation;
    this.#log = log;
  }

  /** Whether clusters run under identities of their own. */
  get isolated(): boolean {
    return this.#isolation !== undefined;
  }

  /** The identity `c` holds or recorded; null when not isolated. */
  of(c: ClusterRecord): ClusterIdentity | null {
    return this.#byCluster.get(c.name) ?? decodeLocalState(c.state).identity ?? null;
  }

  /** The uids active clusters hold. */
  heldUids(): Set<number> {
    return new Set([...this.#byCluster.values()].map((i) => i.uid));
  }

  /**
   * Gives `c` the lowest free identity (no uid running a process, or claimed by another gateway
   * on this host, is reused); null if not isolated.
   */
  allocate(c: ClusterRecord): ClusterIdentity | null {
    const isolation = this.#isolation;
    if (isolation === undefined) return null;
    const range = isolation.uids;
    const used = new Set([...this.#byCluster.values()].map((i) => i.slot));
    // A uid that runs any process (another gateway's cluster on this host, or a leftover of an
    // old cluster) is never shared.
    for (const uid of uidsRunningProcesses(range)) used.add(uid - range.first);
    let slot = lowestFreeSlot(range, used);
    // Another gateway may have chosen a uid whose cluster runs nothing yet: its claim says so.
    while (slot !== null && !isolation.claims.claim(range.first + slot, c.name)) {
      used.add(slot);
      slot = lowestFreeSlot(range, used);
    }
    if (slot === null) {
      throw new Error(
        `all ${String(range.count)} cluster uids are in use (backend.isolation_uids.count)`
      );
    }
    const identity = identityForSlot(range, slot);
    this.#byCluster.set(c.name, identity);
    const removed = removeFilesOwnedBy(identity.uid, SHARED_TEMP_DIRECTORIES);
    if (removed.length > 0) {
      this.#log.info(
        { cluster: c.name, uid: identity.uid, removed },
        'removed files an earlier cluster of this uid left'
      );
    }
    return identity;
  }

  /** Drops this gateway's host-wide claim on `uid` (after its processes are gone). */
  releaseClaim(uid: number): void {
    this.#isolation?.claims.release(uid);
  }

  /** Forgets `c`'s identity (it stopped); returns what it held. */
  release(c: ClusterRecord): ClusterIdentity | null {
    const identity = this.of(c);
    this.#byCluster.delete(c.name);
    return identity;
  }

  /** Takes back the identities recorded by unfinished clusters, and syncs the firewall. */
  adopt(clusters: readonly ClusterRecord[]): Promise<void> {
    for (const c of clusters) {
      const identity = decodeLocalState(c.state).identity;
      if (identity === undefined) continue;
      this.#byCluster.set(c.name, identity);
      this.#isolation?.claims.take(identity.uid, c.name);
    }
    return this.firewall((f) => f.sync([...this.#byCluster.values()]));
  }

  /** Tells the firewall (if any) about a change; logs and rethrows its refusal. */
  async firewall(call: (f: ClusterFirewall) => Promise<void> | void): Promise<void> {
    const f = this.#isolation?.firewall;
    if (f === undefined) return;
    try {
      await call(f);
    } catch (err) {
      this.#log.error({ err }, 'the cluster firewall refused an update');
      throw err;
    }
  }

  /**
   * Kills every process of a cluster uid no active cluster holds (what a task detached from
   * its group and markers), so the uid is free again; logs what it killed.
   */
  async killUidProcesses(uid: number, gid: number, cluster: string): Promise<void> {
    const isolation = this.#isolation;
    if (isolation === undefined || this.heldUids().has(uid)) return;
    const range = isolation.uids;
    if (uid < range.first || uid >= range.first + range.count) return;
    // Another gateway on this host gave the uid to a cluster of its own since: not ours to kill.
    if (isolation.claims.heldElsewhere(uid)) return;
    const r = await killUid(uid, gid);
    if (r.killed.length > 0) {
      this.#log.warn(
        { cluster, uid, pids: r.killed },
        'killed the processes left under a cluster uid'
      );
    }
    if (r.survivors.length > 0) {
      this.#log.error({ cluster, uid, pids: r.survivors }, 'processes of a cluster uid survived');
    }
  }
}
