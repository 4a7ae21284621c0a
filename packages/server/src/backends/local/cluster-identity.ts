/**
 * What the loopback firewall needs of a cluster's identity (allocated by `isolation.ts`): the
 * uid its processes run as and the loopback address all its listeners bind to.
 * @module
 */
import type { ClusterIdentity as IsolatedCluster } from './isolation.js';

/** The uid, gid and loopback address of one cluster's processes (its slot is not needed). */
export type ClusterIdentity = Pick<IsolatedCluster, 'uid' | 'gid' | 'address'>;
