/**
 * The admin pages' gateway calls beyond `GatewayApi.admin`, over the SDK's admin API: a page of
 * every user's clusters (sorted and filtered by the server, with the number matching), every
 * access request, deny with a reason, per-user and per-group quota overrides.
 * @module
 */
import type { AdminCluster, ClusterSortKey, QuotaJson } from '@gatehouse/api';
import type { GatewayApi } from '../gateway-api.js';
import type { PageProps } from '../page-kit.js';

/** One page of the admin cluster list and how many clusters match in all. */
export interface ClusterPage {
  readonly rows: readonly AdminCluster[];
  readonly total: number;
}

/** What the admin cluster list asks for. */
export interface ClusterQuery {
  readonly q: string;
  readonly status: readonly string[];
  readonly sort: ClusterSortKey;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
  readonly offset: number;
}

/** Quota values to store; `null` is unlimited, memory in bytes; a key left out is not set. */
export type QuotaValues = Partial<QuotaJson>;

/** The admin calls of one gateway. */
export function adminCalls(api: GatewayApi) {
  const admin = api.gateway.admin;
  return {
    /** A page of every user's clusters, with the number matching. */
    async clusters(query: ClusterQuery): Promise<ClusterPage> {
      const { q, status, sort, order, limit, offset } = query;
      const page = await admin.clusterPage({
        ...(q === '' ? {} : { q }),
        ...(status.length === 0 ? {} : { status }),
        sort,
        order,
        limit,
        offset,
      });
      return { rows: page.clusters, total: page.total };
    },
    /** Denies a pending request, with a reason its user then sees ('' for none). */
    deny: (id: number, reason: string) =>
      admin.deny(id, ...(reason.trim() === '' ? [] : [reason.trim()])),
    /** Every access request, as the server orders them. */
    requests: () => admin.requests(),
    /** Stores a user's quota override; answers the quota that now applies. */
    setUserQuota: (user: string, quota: QuotaValues) => admin.setQuota(user, quota),
    /** Removes a user's override: the configured quota applies again. */
    clearUserQuota: (user: string) => admin.clearQuota(user),
    /** Every group known from the config or grants, with its quota and its source. */
    groupQuotas: () => admin.groupQuotas(),
    /** Stores a group's quota override. */
    setGroupQuota: (group: string, quota: QuotaValues) => admin.setGroupQuota(group, quota),
    /** Removes a group's override: the config's quota applies again. */
    clearGroupQuota: (group: string) => admin.clearGroupQuota(group),
  };
}

/** The admin calls, as the pages get them. */
export type AdminCalls = ReturnType<typeof adminCalls>;

/** What every admin section gets. */
export interface AdminSectionProps extends PageProps {
  readonly calls: AdminCalls;
  /** Fetches the section navigation's counts again (after a decision on a request). */
  readonly refreshCounts: () => void;
}
