/**
 * The admin's access routes: the users the gateway knows (granted, who asked, or with clusters)
 * with their usage and quotas, granting and revoking access (optionally stopping the user's
 * clusters), and deciding access requests. Every change is audited.
 * @module
 */
import { Type } from 'typebox';
import { AdminUser, DenyBody, RequestJson } from '@gatehouse/api';
import { isRecord } from '../../cluster-options/guards.js';
import { invalid, notFound } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { usageHours } from '../../pool/usage-hours.js';
import {
  NameParams,
  NoContent,
  adminOf,
  quotaJson,
  type Named,
  type WithQuery,
} from './admin-common.js';

/** The window of the users table's usage column. */
const THIRTY_DAYS_MS = 30 * 86_400_000;

/** Every user the gateway knows (granted, who asked, or with clusters), as admins see them. */
async function adminUsers(ctx: ApiContext): Promise<AdminUser[]> {
  const { manager, accessStore, policy } = ctx;
  const requests = await accessStore.listRequests();
  const pending = new Set(requests.filter((r) => r.status === 'pending').map((r) => r.username));
  const granted = new Set(ctx.access.grantedUsers());
  const names = new Set([
    ...granted,
    ...requests.map((r) => r.username),
    ...[...manager.all()].map((c) => c.username),
  ]);
  const now = ctx.clock.now();
  const since = now - THIRTY_DAYS_MS;
  const hours = usageHours(await accessStore.usageSince(since), (r) => r.username, since, now);
  return [...names].sort().map((name) => {
    const usage = policy.usage(name);
    const groups = policy.groupsOf(name);
    return {
      name,
      granted: granted.has(name),
      active_clusters: usage.clusters,
      usage,
      quota: quotaJson(policy.quota(name)),
      pending_request: pending.has(name),
      granted_by: ctx.access.grantedBy({ name, groups, admin: false }),
      groups: [...groups],
      core_hours_30d: hours.get(name)?.core_hours ?? 0,
    };
  });
}

/** Registers `/api/v1/admin/users` and `/api/v1/admin/grants/{name}`. */
export function registerAdminUserRoutes(app: ApiApp, ctx: ApiContext): void {
  const { manager } = ctx;
  const admin = adminOf(ctx);

  app.get(
    '/api/v1/admin/users',
    { schema: { response: { 200: Type.Array(AdminUser) } } },
    async (req) => {
      await admin(req);
      return adminUsers(ctx);
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
}

/** Registers `/api/v1/admin/requests` and the approval or denial of one. */
export function registerAdminRequestRoutes(app: ApiApp, ctx: ApiContext): void {
  const { accessStore, clock } = ctx;
  const admin = adminOf(ctx);

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
    async (req: WithQuery) => {
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
      {
        schema: {
          params: NameParams,
          ...(decision === 'deny' ? { body: Type.Optional(DenyBody) } : {}),
          response: { 200: RequestJson },
        },
      },
      async (req: Named) => {
        const p = await admin(req);
        const reason = decision === 'deny' ? denyReason(req.body) : null;
        const id = Number(req.params.name);
        const r = Number.isInteger(id) ? await accessStore.getRequest(id) : undefined;
        if (r === undefined) throw notFound(`Access request ${req.params.name} not found`);
        if (r.status !== 'pending')
          throw invalid(`Access request ${String(id)} was already ${r.status}`);
        await accessStore.decideRequest(
          id,
          decision === 'approve' ? 'approved' : 'denied',
          p.name,
          clock.now(),
          reason
        );
        if (decision === 'approve') await ctx.access.grant(r.username, p.name);
        ctx.audit(p.name, `${decision} access request`, r.username, 'ok', `request ${String(id)}`);
        const updated = await accessStore.getRequest(id);
        if (updated === undefined) throw notFound(`Access request ${String(id)} not found`);
        return updated;
      }
    );
  }
}

/** The optional reason of a denial body (`{reason}`); null when absent or blank. */
function denyReason(body: unknown): string | null {
  if (body === undefined || body === null) return null;
  const reason = isRecord(body) ? body['reason'] : undefined;
  if (reason === undefined) return null;
  if (typeof reason !== 'string' || reason.length > 1000)
    throw invalid('reason must be a string of at most 1000 characters');
  return reason.trim() === '' ? null : reason.trim();
}
