/**
 * Applying the pool queue's grants: a cluster that waited for machines gets its new worker
 * count at once (saved, then reconciled, which starts the workers), without waiting for its
 * scheduler's next heartbeat.
 * @module
 */
import { Job, isFinal, type ClusterRecord } from './model.js';
import { enqueueCluster, saveCluster, type ManagerState } from './manager-state.js';
import type { PoolGrant } from './manager-deps.js';
import { plural } from '../pool/wording.js';

/** Raises `c`'s worker count to what the queue granted and starts the workers. */
export async function applyGrant(s: ManagerState, c: ClusterRecord, g: PoolGrant): Promise<void> {
  if (c.target !== Job.RUNNING || isFinal(c.status) || g.count <= c.count) return;
  const from = c.count;
  c.count = g.count;
  s.faults.reach('grant.chosen');
  const rest = g.wanted - g.count;
  const still = rest > 0 ? `; ${String(rest)} still waiting` : '';
  s.events.emit(
    c,
    'scale.granted',
    `${plural(g.count - from, 'waiting worker')} granted: ${String(g.count)} now${still}`,
    { granted: g.count, wanted: g.wanted, position: g.position },
    'gatehouse'
  );
  await saveCluster(s, c);
  s.faults.reach('grant.saved');
  enqueueCluster(s, c);
}

/** Makes the manager apply every grant of the pool queue. */
export function followGrants(s: ManagerState): void {
  s.policy.onGrant?.((c, g) => {
    applyGrant(s, c, g).catch((err: unknown) => {
      s.log.error({ err, cluster: c.name }, 'applying a pool grant failed');
    });
  });
}
