/**
 * The admin's quota routes: a user's quota and usage, and setting or clearing the override of
 * their quota (audited; the override takes effect at once).
 * @module
 */
import { Type } from 'typebox';
import { Nullable, QuotaAndUsage, QuotaSet } from '@gatehouse/api';
import { parseQuotaBody } from '../../pool/quota-body.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { NameParams, NoContent, adminOf, quotaJson, type Named } from './admin-common.js';

/** The documented quota body (the handler validates it). */
export const QuotaBody = Type.Object(
  {
    max_clusters: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    max_workers: Type.Optional(Nullable(Type.Integer({ minimum: 0 }))),
    max_cores: Type.Optional(Nullable(Type.Number({ minimum: 0 }))),
    max_memory: Type.Optional(Nullable(Type.Union([Type.Number({ minimum: 0 }), Type.String()]))),
  },
  { additionalProperties: false }
);
/** Registers `/api/v1/admin/quotas/{name}`. */
export function registerAdminQuotaRoutes(app: ApiApp, ctx: ApiContext): void {
  const { accessStore, policy, clock } = ctx;
  const admin = adminOf(ctx);

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
      // Stored as sent (wire keys), which parseQuotaBody reads back at the next start.
      await accessStore.setUserQuota(
        req.params.name,
        JSON.stringify(req.body),
        p.name,
        clock.now()
      );
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
}
