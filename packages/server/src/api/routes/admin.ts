/**
 * The admin API under `/api/v1/admin/`: every cluster of every user, grants and access
 * requests, API tokens, quotas, usage and the audit log. Every route needs the admin role, and
 * every change is audited.
 * @module
 */
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import {
  AdminCluster,
  AdminUser,
  AuditJson,
  EnvironmentJson,
  IssuedToken,
  Nullable,
  QuotaAndUsage,
  QuotaSet,
  RequestJson,
  ScaleResult,
  TokenJson,
  UsageDay,
} from '@gatehouse/api';
import { isRecord } from '../../cluster-options/guards.js';
import { validateScaleCount } from '../../cluster-options/limits.js';
import { publicStatus, type ClusterRecord } from '../../clusters/model.js';
import type { Quota } from '../../pool/quota.js';
import { parseQuotaBody } from '../../pool/quota-body.js';
import { invalid, notFound } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { parseStatuses } from './query.js';
import { clusterView } from '../cluster-view.js';

// Documentation of the request bodies and query strings (the handlers validate them).
const StatusUserQuery = Type.Object({
  status: Type.Optional(Type.String({ description: 'Comma-separated cluster statuses.' })),
  user: Type.Optional(Type.String()),
});
const CountBody = Type.Object({ count: Type.Integer({ minimum: 0 }) });

const QuotaBody = Type.Object(
  {
    max_clusters: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    max_workers: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    max_cores: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    max_memory: Type.Optional(Nullable(Type.Union([Type.Number({ minimum: 0 }), Type.String()]))),
  },
  { additionalProperties: false }
);
const NoContent = { 204: { type: 'null', description: 'Done.' } } as const;

type Named = FastifyRequest<{ Params: { name: string }; Querystring: Record<string, unknown> }>;
const NameParams = Type.Object({ name: Type.String() });

function quotaJson(q: Quota) {
  return {
    max_clusters: q.maxClusters,
    max_workers: q.maxWorkers,
    max_cores: q.maxCores,
    max_memory: q.maxMemory,
  };
}

/** Registers the admin routes. */
export function registerAdminRoutes(app: ApiApp, ctx: ApiContext): void {
  const { manager, accessStore, policy, clock } = ctx;
  const admin = (req: FastifyRequest) => ctx.userAuth.requireAdmin(req);
  const cluster = (name: string): ClusterRecord => {
    const c = manager.get(name);
    if (c === undefined) throw notFound(`Cluster ${name} not found`);
    return c;
  };
  const view = (c: ClusterRecord) => clusterView(c, clock.now());

  app.get(
    '/api/v1/admin/clusters',
    { schema: { querystring: StatusUserQuery, response: { 200: Type.Array(AdminCluster) } } },
    async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
      await admin(req);
      const statuses = parseStatuses(req.query['status']);
      const user = req.query['user'];
      return [...manager.all()]
        .filter((c) => (statuses === null ? c.target <= 3 : statuses.has(publicStatus(c))))
        .filter((c) => typeof user !== 'string' || c.username === user)
        .map(view);
    }
  );

  app.post(
    '/api/v1/admin/clusters/:name/stop',
    { schema: { params: NameParams, response: NoContent } },
    async (req: Named, reply) => {
      const p = await admin(req);
      const c = cluster(req.params.name);
      await manager.stop(c, 'admin', p.name);
      ctx.audit(p.name, 'stop cluster', c.name, 'ok', `owner ${c.username}`);
      return reply.code(204).send();
    }
  );

  app.post(
    '/api/v1/admin/clusters/:name/scale',
    { schema: { params: NameParams, body: CountBody, response: { 200: ScaleResult } } },
    async (req: Named) => {
      const p = await admin(req);
      const c = cluster(req.params.name);
      const count = validateScaleCount(req.body);
      const result = await manager.scale(c, count, p.name);
      ctx.audit(
        p.name,
        'scale cluster',
        c.name,
        'ok',
        `count ${String(count)}${result.msg === null ? '' : `: ${result.msg}`}`
      );
      return result;
    }
  );

  app.get(
    '/api/v1/admin/users',
    { schema: { response: { 200: Type.Array(AdminUser) } } },
    async (req) => {
      await admin(req);
      const pending = new Set((await accessStore.listRequests('pending')).map((r) => r.username));
      const granted = new Set(ctx.access.grantedUsers());
      const names = new Set([...granted, ...pending, ...[...manager.all()].map((c) => c.username)]);
      return [...names].sort().map((name) => {
        const usage = policy.usage(name);
        return {
          name,
          granted: granted.has(name),
          active_clusters: usage.clusters,
          usage,
          quota: quotaJson(policy.quota(name)),
          pending_request: pending.has(name),
        };
      });
    }
  );

  app.put(
    '/api/v1/admin/grants/:name',
    { schema: { params: NameParams, response: NoContent } },
    async (req: Named, reply) => {
      const p = await admin(req);
      await ctx.access.grant(req.params.name, p.name);
      ctx.audit(p.name, 'grant access', req.params.name, 'ok');
      return reply.code(204).send();
    }
  );

  app.delete(
    '/api/v1/admin/grants/:name',
    {
      schema: {
        params: NameParams,
        querystring: Type.Object({
          stop_clusters: Type.Optional(
            Type.String({ description: "'', '1' or 'true' also stops the user's clusters." })
          ),
        }),
        response: NoContent,
      },
    },
    async (req: Named, reply) => {
      const p = await admin(req);
      const user = req.params.name;
      await ctx.access.revoke(user, p.name);
      const stop = req.query['stop_clusters'];
      let stopped = 0;
      if (stop === '' || stop === '1' || stop === 'true') {
        for (const c of [...manager.all()].filter((x) => x.username === user && x.target <= 3)) {
          await manager.stop(c, 'admin', p.name);
          stopped++;
        }
      }
      ctx.audit(
        p.name,
        'revoke access',
        user,
        'ok',
        stopped > 0 ? `stopped ${String(stopped)} clusters` : ''
      );
      return reply.code(204).send();
    }
  );

  app.get(
    '/api/v1/admin/requests',
    {
      schema: {
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('denied')])
          ),
        }),
        response: { 200: Type.Array(RequestJson) },
      },
    },
    async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
      await admin(req);
      const s = req.query['status'];
      if (s !== undefined && s !== 'pending' && s !== 'approved' && s !== 'denied') {
        throw invalid(`status must be pending, approved or denied, got ${JSON.stringify(s)}`);
      }
      return accessStore.listRequests(s);
    }
  );

  for (const decision of ['approve', 'deny'] as const) {
    app.post(
      `/api/v1/admin/requests/:name/${decision}`,
      { schema: { params: NameParams, response: { 200: RequestJson } } },
      async (req: Named) => {
        const p = await admin(req);
        const id = Number(req.params.name);
        const r = Number.isInteger(id) ? await accessStore.getRequest(id) : undefined;
        if (r === undefined) throw notFound(`Access request ${req.params.name} not found`);
        if (r.status !== 'pending')
          throw invalid(`Access request ${String(id)} was already ${r.status}`);
        await accessStore.decideRequest(
          id,
          decision === 'approve' ? 'approved' : 'denied',
          p.name,
          clock.now()
        );
        if (decision === 'approve') await ctx.access.grant(r.username, p.name);
        ctx.audit(p.name, `${decision} access request`, r.username, 'ok', `request ${String(id)}`);
        const updated = await accessStore.getRequest(id);
        if (updated === undefined) throw notFound(`Access request ${String(id)} not found`);
        return updated;
      }
    );
  }

  const tokenJson = (t: {
    id: string;
    username: string;
    admin: number;
    label: string;
    created_by: string;
    created_at: number;
    revoked_at: number | null;
  }) => ({ ...t, admin: t.admin === 1 });

  app.get(
    '/api/v1/admin/tokens',
    {
      schema: {
        querystring: Type.Object({ user: Type.Optional(Type.String()) }),
        response: { 200: Type.Array(TokenJson) },
      },
    },
    async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
      await admin(req);
      const user = req.query['user'];
      return (await accessStore.listTokens(typeof user === 'string' ? user : undefined)).map(
        tokenJson
      );
    }
  );

  app.post(
    '/api/v1/admin/tokens',
    {
      schema: {
        body: Type.Object({
          username: Type.String({ minLength: 1 }),
          label: Type.Optional(Type.String({ maxLength: 200 })),
          admin: Type.Optional(Type.Boolean()),
        }),
        response: {
          201: IssuedToken,
        },
      },
    },
    async (req, reply) => {
      const p = await admin(req);
      const body = req.body;
      if (!isRecord(body) || typeof body['username'] !== 'string' || body['username'] === '') {
        throw invalid(
          'Give the token\'s user: {"username": "alice", "label": "ci", "admin": false}'
        );
      }
      const { admin: adminFlag = false, label = '' } = body;
      if (typeof adminFlag !== 'boolean') throw invalid('admin must be true or false');
      if (typeof label !== 'string' || label.length > 200) {
        throw invalid('label must be a string of at most 200 characters');
      }
      const isAdmin = adminFlag;
      const { token, info } = await accessStore.issueToken({
        username: body['username'],
        admin: isAdmin,
        label,
        by: p.name,
        now: clock.now(),
      });
      ctx.audit(
        p.name,
        'issue token',
        info.username,
        'ok',
        `token ${info.id}${isAdmin ? ' (admin)' : ''}`
      );
      return reply.code(201).send({ token, info: tokenJson(info) });
    }
  );

  app.delete(
    '/api/v1/admin/tokens/:name',
    { schema: { params: NameParams, response: NoContent } },
    async (req: Named, reply) => {
      const p = await admin(req);
      const revoked = await accessStore.revokeToken(req.params.name, clock.now());
      if (!revoked) throw notFound(`Token ${req.params.name} not found or already revoked`);
      ctx.audit(p.name, 'revoke token', req.params.name, 'ok');
      return reply.code(204).send();
    }
  );

  app.get(
    '/api/v1/admin/quotas/:name',
    {
      schema: {
        params: NameParams,
        response: {
          200: QuotaAndUsage,
        },
      },
    },
    async (req: Named) => {
      await admin(req);
      return {
        quota: quotaJson(policy.quota(req.params.name)),
        usage: policy.usage(req.params.name),
      };
    }
  );

  app.put(
    '/api/v1/admin/quotas/:name',
    {
      schema: {
        params: NameParams,
        body: QuotaBody,
        response: { 200: QuotaSet },
      },
    },
    async (req: Named) => {
      const p = await admin(req);
      const q = parseQuotaBody(req.body);
      await accessStore.setUserQuota(req.params.name, JSON.stringify(q), p.name, clock.now());
      policy.setOverride(req.params.name, q);
      ctx.audit(p.name, 'set quota', req.params.name, 'ok', JSON.stringify(req.body));
      return { quota: quotaJson(policy.quota(req.params.name)) };
    }
  );

  app.delete(
    '/api/v1/admin/quotas/:name',
    { schema: { params: NameParams, response: NoContent } },
    async (req: Named, reply) => {
      const p = await admin(req);
      await accessStore.setUserQuota(req.params.name, null, p.name, clock.now());
      policy.setOverride(req.params.name, null);
      ctx.audit(p.name, 'clear quota', req.params.name, 'ok');
      return reply.code(204).send();
    }
  );

  app.get(
    '/api/v1/admin/usage',
    {
      schema: {
        querystring: Type.Object({
          days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 7 })),
        }),
        response: { 200: Type.Array(UsageDay) },
      },
    },
    async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
      await admin(req);
      const daysRaw = req.query['days'] ?? '7';
      const days = Number(daysRaw);
      if (!Number.isInteger(days) || days < 1 || days > 366)
        throw invalid('days must be an integer from 1 to 366');
      const now = clock.now();
      const since = now - days * 86_400_000;
      const rows = await accessStore.usageSince(since);
      return usageByDay(rows, since, now);
    }
  );

  app.get(
    '/api/v1/admin/environments',
    { schema: { response: { 200: Type.Array(EnvironmentJson) } } },
    async (req) => {
      await admin(req);
      await ctx.environments?.refresh();
      return (ctx.environments?.list() ?? []).map(({ checkedAt, ...e }) => ({
        ...e,
        groups: [...e.groups],
        checked_at: checkedAt,
      }));
    }
  );

  app.get(
    '/api/v1/admin/audit',
    {
      schema: {
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 200 })),
        }),
        response: { 200: Type.Array(AuditJson) },
      },
    },
    async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
      await admin(req);
      const limit = Number(req.query['limit'] ?? '200');
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw invalid('limit must be an integer from 1 to 10000');
      return accessStore.listAudit({ limit });
    }
  );
}

/** Splits usage intervals into core-hours and memory-GiB-hours per user per UTC day. */
export function usageByDay(
  rows: ReadonlyArray<{
    username: string;
    cores: number;
    memory: number;
    start_time: number;
    stop_time: number | null;
  }>,
  since: number,
  now: number
): Array<{ username: string; day: string; core_hours: number; memory_gib_hours: number }> {
  const acc = new Map<
    string,
    { username: string; day: string; core_hours: number; memory_gib_hours: number }
  >();
  for (const r of rows) {
    let t = Math.max(r.start_time, since);
    const end = Math.min(r.stop_time ?? now, now);
    while (t < end) {
      const dayStart = Math.floor(t / 86_400_000) * 86_400_000;
      const sliceEnd = Math.min(end, dayStart + 86_400_000);
      const hours = (sliceEnd - t) / 3_600_000;
      const day = new Date(dayStart).toISOString().slice(0, 10);
      const key = `${r.username}\u0000${day}`;
      const e = acc.get(key) ?? { username: r.username, day, core_hours: 0, memory_gib_hours: 0 };
      e.core_hours += hours * r.cores;
      e.memory_gib_hours += (hours * r.memory) / 2 ** 30;
      acc.set(key, e);
      t = sliceEnd;
    }
  }
  return [...acc.values()].sort(
    (a, b) => a.day.localeCompare(b.day) || a.username.localeCompare(b.username)
  );
}
