/**
 * The admin pages' gateway calls beyond `GatewayApi.admin`: a page of every user's clusters
 * (sorted, filtered, with the total from `X-Total-Count`), deny with a reason, per-user and
 * per-group quota overrides. Answers are checked against the wire contract's schemas.
 * @module
 */
import {
  AdminCluster,
  GroupQuotaJson,
  QuotaSet,
  RequestJson,
  type ClusterSortKey,
  type QuotaJson,
} from '@gatehouse/api';
import { Type } from 'typebox';
import Value from 'typebox/value';
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

const seg = (s: string | number) => encodeURIComponent(String(s));
const ClusterRows = Type.Array(AdminCluster);
const GroupQuotaList = Type.Array(GroupQuotaJson);

/** The admin calls of one gateway. */
export function adminCalls(api: GatewayApi) {
  const t = api.gateway.transport;
  return {
    /** A page of every user's clusters, with the number matching. */
    async clusters(query: ClusterQuery): Promise<ClusterPage> {
      const res = await t.send({
        method: 'GET',
        path: '/api/v1/admin/clusters',
        query: {
          q: query.q === '' ? undefined : query.q,
          status: query.status.length === 0 ? undefined : query.status.join(','),
          sort: query.sort,
          order: query.order,
          limit: query.limit,
          offset: query.offset,
        },
      });
      const body: unknown = JSON.parse(await res.text());
      if (!Value.Check(ClusterRows, body)) throw new Error('Unexpected answer listing clusters.');
      const total = Number(res.headers.get('X-Total-Count') ?? body.length);
      return { rows: body, total: Number.isFinite(total) ? total : body.length };
    },
    /** Denies a pending request, with a reason its user then sees ('' for none). */
    deny: (id: number, reason: string) =>
      t.json(RequestJson, {
        method: 'POST',
        path: `/api/v1/admin/requests/${seg(id)}/deny`,
        body: reason.trim() === '' ? {} : { reason: reason.trim() },
      }),
    /** Every access request, newest first as the server orders them. */
    requests: () =>
      t.json(Type.Array(RequestJson), { method: 'GET', path: '/api/v1/admin/requests' }),
    /** Stores a user's quota override; answers the quota that now applies. */
    setUserQuota: async (user: string, quota: QuotaValues) =>
      (
        await t.json(QuotaSet, {
          method: 'PUT',
          path: `/api/v1/admin/quotas/${seg(user)}`,
          body: quota,
        })
      ).quota,
    /** Removes a user's override: the configured quota applies again. */
    clearUserQuota: (user: string) =>
      t.empty({ method: 'DELETE', path: `/api/v1/admin/quotas/${seg(user)}` }),
    /** Every group known from the config or grants, with its quota and its source. */
    groupQuotas: () =>
      t.json(GroupQuotaList, { method: 'GET', path: '/api/v1/admin/group-quotas' }),
    /** Stores a group's quota override. */
    setGroupQuota: (group: string, quota: QuotaValues) =>
      t.json(GroupQuotaJson, {
        method: 'PUT',
        path: `/api/v1/admin/group-quotas/${seg(group)}`,
        body: quota,
      }),
    /** Removes a group's override: the config's quota applies again. */
    clearGroupQuota: (group: string) =>
      t.empty({ method: 'DELETE', path: `/api/v1/admin/group-quotas/${seg(group)}` }),
  };
}

/** The admin calls, as the pages get them. */
export type AdminCalls = ReturnType<typeof adminCalls>;

/** What every admin section gets. */
export interface AdminSectionProps extends PageProps {
  readonly calls: AdminCalls;
}
