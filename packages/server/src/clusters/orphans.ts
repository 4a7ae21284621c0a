/**
 * Which of the gateway's processes no record claims (orphans). A process group is claimed when
 * a cluster that is not final records its leader as the scheduler (pid and start time, and the
 * process carries that cluster's name), or a worker that is not final records it (and the
 * process carries the cluster's and the worker's names). Everything else the gateway started is
 * an orphan: a process spawned just before a crash (its pid never saved), one of a cluster that
 * is final or deleted, or what a dead leader left in its group.
 * @module
 */
import type { OwnedProcessGroup } from '../backends/backend.js';
import { isFinal, type ClusterRecord, type ProcessRef } from './model.js';

const sameRef = (a: ProcessRef | undefined, b: ProcessRef | null) =>
  a !== undefined && b !== null && a.pid === b.pid && a.startTicks === b.startTicks;

/** Whether a live record claims group `g`. */
export function isClaimed(
  g: OwnedProcessGroup,
  clusters: ReadonlyMap<string, ClusterRecord>
): boolean {
  const c = clusters.get(g.clusterName);
  if (c === undefined || isFinal(c.status) || g.leader === null) return false;
  if (g.workerName === null) return sameRef(c.state.process, g.leader);
  const w = c.workers.get(g.workerName);
  return w !== undefined && !isFinal(w.status) && sameRef(w.state.process, g.leader);
}

/** A stable key for a group (its leader's or first member's identity). */
export function groupKey(g: OwnedProcessGroup): string {
  const p = g.leader ?? g.members[0];
  return p === undefined ? `${String(g.pgid)}/-` : `${String(p.pid)}/${String(p.startTicks)}`;
}

/**
 * Tracks orphan candidates across scans. At start-up nothing is in flight, so every unclaimed
 * group is an orphan at once; while running, a group must be unclaimed in two consecutive scans
 * (a process being spawned is not recorded yet).
 */
export function createOrphanTracker() {
  let seen = new Set<string>();
  return {
    /** The orphans among `groups`; with `grace`, only those already unclaimed last time. */
    orphans(
      groups: readonly OwnedProcessGroup[],
      clusters: ReadonlyMap<string, ClusterRecord>,
      grace: boolean
    ): OwnedProcessGroup[] {
      const unclaimed = groups.filter((g) => !isClaimed(g, clusters));
      const now = new Set(unclaimed.map(groupKey));
      const out = grace ? unclaimed.filter((g) => seen.has(groupKey(g))) : unclaimed;
      const taken = new Set(out.map(groupKey));
      seen = new Set([...now].filter((k) => !taken.has(k)));
      return out;
    },
  };
}
