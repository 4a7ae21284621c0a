/**
 * Which of the gateway's owned items (process groups, jobs) no record claims (orphans). An item
 * is claimed when a cluster that is not final records it as its scheduler, or a worker that is
 * not final records it; whether a recorded state names an item only the backend can tell
 * (`Backend.claims`). Everything else the gateway started is an orphan: something started just
 * before a crash (never saved), one of a cluster that is final or deleted, or what a dead
 * leader left behind.
 * @module
 */
import type { OwnedItem } from '../backends/backend.js';
import { isFinal, type BackendState, type ClusterRecord } from './model.js';

/** Whether a recorded state names an owned item (the backend's `claims`). */
export type ClaimCheck = (item: OwnedItem, state: BackendState) => boolean;

/** Whether a live record claims `item`. */
export function isClaimed(
  item: OwnedItem,
  clusters: ReadonlyMap<string, ClusterRecord>,
  claims: ClaimCheck
): boolean {
  const c = clusters.get(item.clusterName);
  if (c === undefined || isFinal(c.status)) return false;
  if (item.workerName === null) return claims(item, c.state);
  const w = c.workers.get(item.workerName);
  return w !== undefined && !isFinal(w.status) && claims(item, w.state);
}

/**
 * Tracks orphan candidates across scans. At start-up nothing is in flight, so every unclaimed
 * item is an orphan at once; while running, an item must be unclaimed in two consecutive scans
 * (something being started is not recorded yet).
 */
export function createOrphanTracker(claims: ClaimCheck) {
  let seen = new Set<string>();
  return {
    /** The orphans among `items`; with `grace`, only those already unclaimed last time. */
    orphans<T extends OwnedItem>(
      items: readonly T[],
      clusters: ReadonlyMap<string, ClusterRecord>,
      grace: boolean
    ): T[] {
      const unclaimed = items.filter((g) => !isClaimed(g, clusters, claims));
      const now = new Set(unclaimed.map((g) => g.key));
      const out = grace ? unclaimed.filter((g) => seen.has(g.key)) : unclaimed;
      const taken = new Set(out.map((g) => g.key));
      seen = new Set([...now].filter((k) => !taken.has(k)));
      return out;
    },
  };
}
