/**
 * Who a cluster's processes are on this machine: the Unix uid and gid they run as and the
 * loopback address all their listeners bind to. The isolating local backend allocates one per
 * cluster; the loopback firewall lets that uid (and only it, besides root) reach that address.
 * @module
 */

/** The Unix identity and loopback address of one cluster's processes. */
export interface ClusterIdentity {
  /** Uid every scheduler and worker process of the cluster runs as. */
  readonly uid: number;
  /** Primary gid of those processes. */
  readonly gid: number;
  /** IPv4 loopback address (inside {@link CLUSTER_NETWORK}) all its listeners bind to. */
  readonly address: string;
}

/** The loopback range cluster addresses are taken from (`127.201.x.y`). */
export const CLUSTER_NETWORK = '127.201.0.0/16';
