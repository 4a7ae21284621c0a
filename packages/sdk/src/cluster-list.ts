/**
 * The cluster lists with their query (status, text, sort, page) and total, shared by the
 * user's `Gateway.clusterPage` and the admin's `AdminApi.clusterPage`.
 * @module
 */
import { AdminCluster, type ClusterListParams } from '@gatehouse/api';
import { Type } from 'typebox';
import type { Query, Transport } from './transport.js';

/** One page of a cluster list and how many clusters matched in all. */
export interface ClusterPage {
  readonly clusters: AdminCluster[];
  /** Matching clusters before `limit` and `offset` (the `X-Total-Count` header). */
  readonly total: number;
}

/** The query string of `params`. */
export function clusterListQuery(params: ClusterListParams): Query {
  return {
    status: params.status === undefined ? undefined : params.status.join(','),
    q: params.q,
    sort: params.sort,
    order: params.order,
    limit: params.limit,
    offset: params.offset,
    user: params.user,
  };
}

/** Fetches one page of the cluster list at `path`. */
export async function fetchClusterPage(
  t: Transport,
  path: string,
  params: ClusterListParams
): Promise<ClusterPage> {
  const { body, headers } = await t.jsonResponse(Type.Array(AdminCluster), {
    method: 'GET',
    path,
    query: clusterListQuery(params),
  });
  const total = Number(headers.get('X-Total-Count') ?? body.length);
  return { clusters: body, total: Number.isFinite(total) ? total : body.length };
}
