/**
 * The local backend's owned items: the process groups this gateway started, found by the
 * marker in their environment (instance id, cluster and worker names), and how a recorded
 * state claims one (its leader is the process the state names: same pid and start time).
 * @module
 */
import type { BackendState, ProcessRef } from '../../clusters/model.js';
import { groupMarkedProcesses, refOf, scanMarkedProcesses } from '../../process/process-scan.js';
import type { OwnedItem } from '../backend.js';
import { CLUSTER_VAR, INSTANCE_VAR, WORKER_VAR } from './environment.js';
import { decodeLocalState } from './local-state.js';

/** A process group this gateway started, found without a record (by the gateway's marker). */
export interface OwnedProcessGroup extends OwnedItem {
  /** The process group id (the leader's pid). */
  readonly pgid: number;
  /** The group leader when it is still alive; null when only other members are left. */
  readonly leader: ProcessRef | null;
  /** Every live member carrying the marker (leader first). */
  readonly members: readonly ProcessRef[];
}

/** An owned item for a group (its key from the leader's or first member's identity). */
export function ownedGroup(
  clusterName: string,
  workerName: string | null,
  pgid: number,
  leader: ProcessRef | null,
  members: readonly ProcessRef[]
): OwnedProcessGroup {
  const p = leader ?? members[0];
  const key = p === undefined ? `${String(pgid)}/-` : `${String(p.pid)}/${String(p.startTicks)}`;
  const details = { pids: members.map((m) => m.pid), leader: leader !== null, pgid };
  return { clusterName, workerName, key, details, pgid, leader, members };
}

/** Every live process group carrying instance `instanceId`'s marker. */
export function listOwnedGroups(instanceId: string): OwnedProcessGroup[] {
  return groupMarkedProcesses(
    scanMarkedProcesses(INSTANCE_VAR, instanceId, [CLUSTER_VAR, WORKER_VAR])
  ).flatMap((g) => {
    const first = g.members[0];
    const clusterName = first?.env.get(CLUSTER_VAR);
    if (first === undefined || clusterName === undefined) return [];
    const leader = g.leader === null ? null : refOf(g.leader);
    return [
      ownedGroup(
        clusterName,
        first.env.get(WORKER_VAR) ?? null,
        g.pgid,
        leader,
        g.members.map(refOf)
      ),
    ];
  });
}

/** The group `item` as this backend listed it, or null for an item of another backend. */
export function asGroup(item: OwnedItem): OwnedProcessGroup | null {
  return 'pgid' in item && 'members' in item ? (item as OwnedProcessGroup) : null;
}

/** Whether `state` records the leader of group `item` (a group without its leader is unclaimed). */
export function groupClaimedBy(item: OwnedItem, state: BackendState): boolean {
  const g = asGroup(item);
  const recorded = decodeLocalState(state).process;
  return (
    g !== null &&
    g.leader !== null &&
    recorded !== undefined &&
    recorded.pid === g.leader.pid &&
    recorded.startTicks === g.leader.startTicks
  );
}
