/**
 * The share verbs (`gateway.shares`, issue 22, docs/sharing.md): a cluster's owner grants,
 * lists and revokes shares with users and groups; anyone lists the clusters shared with them.
 * @module
 */
import { ClusterShareJson, SharedCluster, type ShareLevelJson } from '@gatehouse/api';
import { Type } from 'typebox';
import type { Transport } from './transport.js';

/** Whom a share is with. */
export type ShareKind = ClusterShareJson['kind'];

const seg = (s: string) => encodeURIComponent(s);
const sharePath = (cluster: string, kind: ShareKind, principal: string) =>
  `/api/v1/clusters/${seg(cluster)}/shares/${kind}/${seg(principal)}`;

/** The share API of one gateway. */
export class SharesApi {
  private readonly t: Transport;

  /** @param transport - the gateway's HTTP layer. */
  constructor(transport: Transport) {
    this.t = transport;
  }

  /**
   * The shares of the caller's cluster `cluster` (an id or one of their names).
   * @throws ForbiddenError when the cluster is someone else's; NotFoundError when there is none.
   */
  async list(cluster: string): Promise<ClusterShareJson[]> {
    return this.t.json(Type.Array(ClusterShareJson), {
      method: 'GET',
      path: `/api/v1/clusters/${seg(cluster)}/shares`,
    });
  }

  /** Shares the caller's cluster with user or group `principal` at `level` (or changes it). */
  async grant(
    cluster: string,
    kind: ShareKind,
    principal: string,
    level: ShareLevelJson
  ): Promise<ClusterShareJson> {
    return this.t.json(ClusterShareJson, {
      method: 'PUT',
      path: sharePath(cluster, kind, principal),
      body: { level },
    });
  }

  /**
   * Revokes a share: API and dashboard access end at once (an established Dask connection does
   * not, see docs/sharing.md).
   * @throws NotFoundError when the cluster is not shared with `principal`.
   */
  async revoke(cluster: string, kind: ShareKind, principal: string): Promise<void> {
    await this.t.empty({ method: 'DELETE', path: sharePath(cluster, kind, principal) });
  }

  /** The clusters others shared with the caller (or a group of theirs), with the caller's level. */
  async sharedWithMe(): Promise<SharedCluster[]> {
    return this.t.json(Type.Array(SharedCluster), {
      method: 'GET',
      path: '/api/v1/me/shared-clusters',
    });
  }
}
