/**
 * The admin verbs (`gateway.admin`): users and grants, access requests, quotas, API tokens,
 * every user's clusters, usage and the audit log (docs/access.md). They need the admin role;
 * others get `ForbiddenError`.
 * @module
 */
import {
  BudgetAdminJson,
  BudgetJson,
  AdminCluster,
  AdminUser,
  AuditJson,
  EnvironmentJson,
  GroupQuotaJson,
  IssuedToken,
  QuotaAndUsage,
  QuotaSet,
  RequestJson,
  ScaleResult,
  TokenJson,
  UsageDay,
  type AccessRequestStatus,
  type ClusterListParams,
  type ClusterStatus,
  type QuotaJson,
} from '@gatehouse/api';
import { Type } from 'typebox';
import { fetchClusterPage, type ClusterPage } from './cluster-list.js';
import type { Transport } from './transport.js';

/** Per-user quota values to set; `null` means unlimited, memory is bytes or e.g. `"16 G"`. */
export type QuotaUpdate = Partial<{
  max_clusters: number | null;
  max_workers: number | null;
  max_cores: number | null;
  max_memory: number | string | null;
}>;

const seg = (s: string | number) => encodeURIComponent(String(s));

/** The admin API of one gateway. */
export class AdminApi {
  private readonly t: Transport;

  /** @param transport - the gateway's HTTP layer. */
  constructor(transport: Transport) {
    this.t = transport;
  }

  /** Users with grants, requests or clusters: usage now and the quota that applies. */
  async users(): Promise<AdminUser[]> {
    return this.t.json(Type.Array(AdminUser), { method: 'GET', path: '/api/v1/admin/users' });
  }

  /** `user`'s core-hour budget this period and the extra hours granted in it. */
  async budget(user: string): Promise<BudgetAdminJson> {
    return this.t.json(BudgetAdminJson, {
      method: 'GET',
      path: `/api/v1/admin/budgets/${seg(user)}`,
    });
  }

  /** Grants `user` `hours` extra core-hours for the current budget period. */
  async grantHours(user: string, hours: number, note?: string): Promise<BudgetJson> {
    return this.t.json(BudgetJson, {
      method: 'POST',
      path: `/api/v1/admin/budgets/${seg(user)}/grants`,
      body: note === undefined ? { hours } : { hours, note },
    });
  }

  /** Moves waiting cluster `name` to place `position` (from 1) in the pool's queue. */
  async moveQueued(name: string, position: number): Promise<void> {
    await this.t.empty({
      method: 'POST',
      path: `/api/v1/admin/queue/${seg(name)}/move`,
      body: { position },
    });
  }

  /** Drops waiting cluster `name` from the pool's queue: it keeps the workers it has. */
  async dropQueued(name: string): Promise<ScaleResult> {
    return this.t.json(ScaleResult, { method: 'DELETE', path: `/api/v1/admin/queue/${seg(name)}` });
  }

  /** Grants `user` access. */
  async grant(user: string): Promise<void> {
    await this.t.empty({ method: 'PUT', path: `/api/v1/admin/grants/${seg(user)}` });
  }

  /**
   * Revokes `user`'s individual grant.
   * @param options - `stopClusters`: also stop their active clusters. Default false.
   */
  async revoke(user: string, options: { stopClusters?: boolean } = {}): Promise<void> {
    await this.t.empty({
      method: 'DELETE',
      path: `/api/v1/admin/grants/${seg(user)}`,
      query: { stop_clusters: options.stopClusters === true ? 1 : undefined },
    });
  }

  /** Access requests, optionally only those with `status`. Default: all. */
  async requests(options: { status?: AccessRequestStatus } = {}): Promise<RequestJson[]> {
    return this.t.json(Type.Array(RequestJson), {
      method: 'GET',
      path: '/api/v1/admin/requests',
      query: { status: options.status },
    });
  }

  /** Approves a pending request, which grants its user. */
  async approve(id: number): Promise<RequestJson> {
    return this.t.json(RequestJson, {
      method: 'POST',
      path: `/api/v1/admin/requests/${seg(id)}/approve`,
    });
  }

  /** Denies a pending request, with an optional reason the user then sees. */
  async deny(id: number, reason?: string): Promise<RequestJson> {
    return this.t.json(RequestJson, {
      method: 'POST',
      path: `/api/v1/admin/requests/${seg(id)}/deny`,
      ...(reason === undefined ? {} : { body: { reason } }),
    });
  }

  /** The quota that applies to `user` and what they hold now. */
  async quota(user: string): Promise<QuotaAndUsage> {
    return this.t.json(QuotaAndUsage, { method: 'GET', path: `/api/v1/admin/quotas/${seg(user)}` });
  }

  /** Sets a per-user override (keys left out keep their configured value); returns the result. */
  async setQuota(user: string, quota: QuotaUpdate): Promise<QuotaJson> {
    const r = await this.t.json(QuotaSet, {
      method: 'PUT',
      path: `/api/v1/admin/quotas/${seg(user)}`,
      body: quota,
    });
    return r.quota;
  }

  /** Removes `user`'s override, so the configured quota applies again. */
  async clearQuota(user: string): Promise<void> {
    await this.t.empty({ method: 'DELETE', path: `/api/v1/admin/quotas/${seg(user)}` });
  }

  /** API token records (never the secrets), optionally only `user`'s. */
  async tokens(options: { user?: string } = {}): Promise<TokenJson[]> {
    return this.t.json(Type.Array(TokenJson), {
      method: 'GET',
      path: '/api/v1/admin/tokens',
      query: { user: options.user },
    });
  }

  /**
   * Issues an API token; the secret is in the answer only.
   * @param options - `label` (default empty); `admin`: an admin token (default false).
   */
  async issueToken(
    username: string,
    options: { label?: string; admin?: boolean } = {}
  ): Promise<IssuedToken> {
    return this.t.json(IssuedToken, {
      method: 'POST',
      path: '/api/v1/admin/tokens',
      body: { username, label: options.label ?? '', admin: options.admin ?? false },
    });
  }

  /** Revokes the token with this id. */
  async revokeToken(id: string): Promise<void> {
    await this.t.empty({ method: 'DELETE', path: `/api/v1/admin/tokens/${seg(id)}` });
  }

  /**
   * Every user's clusters.
   * @param options - `status` (default: every cluster on record), `user` (default: everyone).
   */
  async clusters(
    options: { status?: ClusterStatus | readonly ClusterStatus[]; user?: string } = {}
  ): Promise<AdminCluster[]> {
    const { status, user } = options;
    return this.t.json(Type.Array(AdminCluster), {
      method: 'GET',
      path: '/api/v1/admin/clusters',
      query: { status: status === undefined ? undefined : [status].flat().join(','), user },
    });
  }

  /** One page of every user's clusters and how many matched (`user` picks one owner). */
  async clusterPage(params: ClusterListParams = {}): Promise<ClusterPage> {
    return fetchClusterPage(this.t, '/api/v1/admin/clusters', params);
  }

  /** Every group known from the config or grants, with its quota settings and their source. */
  async groupQuotas(): Promise<GroupQuotaJson[]> {
    return this.t.json(Type.Array(GroupQuotaJson), {
      method: 'GET',
      path: '/api/v1/admin/group-quotas',
    });
  }

  /** Sets an admin override of `group`'s quota (keys left out are not set by the group). */
  async setGroupQuota(group: string, quota: QuotaUpdate): Promise<GroupQuotaJson> {
    return this.t.json(GroupQuotaJson, {
      method: 'PUT',
      path: `/api/v1/admin/group-quotas/${seg(group)}`,
      body: quota,
    });
  }

  /** Removes the override of `group`'s quota: the config's applies again. */
  async clearGroupQuota(group: string): Promise<void> {
    await this.t.empty({ method: 'DELETE', path: `/api/v1/admin/group-quotas/${seg(group)}` });
  }

  /** Stops any user's cluster (stop reason `admin`). */
  async stopCluster(name: string): Promise<void> {
    await this.t.empty({ method: 'POST', path: `/api/v1/admin/clusters/${seg(name)}/stop` });
  }

  /** Scales any user's cluster. */
  async scaleCluster(name: string, count: number): Promise<ScaleResult> {
    return this.t.json(ScaleResult, {
      method: 'POST',
      path: `/api/v1/admin/clusters/${seg(name)}/scale`,
      body: { count },
    });
  }

  /** Core-hours and memory-GiB-hours per user per UTC day. Default: the last 7 days. */
  async usage(options: { days?: number } = {}): Promise<UsageDay[]> {
    return this.t.json(Type.Array(UsageDay), {
      method: 'GET',
      path: '/api/v1/admin/usage',
      query: { days: options.days },
    });
  }

  /** The latest admin actions and refusals. Default: 200 entries. */
  async audit(options: { limit?: number } = {}): Promise<AuditJson[]> {
    return this.t.json(Type.Array(AuditJson), {
      method: 'GET',
      path: '/api/v1/admin/audit',
      query: { limit: options.limit },
    });
  }

  /** The Python environments users may choose, with their state and versions. */
  async environments(): Promise<EnvironmentJson[]> {
    return this.t.json(Type.Array(EnvironmentJson), {
      method: 'GET',
      path: '/api/v1/admin/environments',
    });
  }
}
