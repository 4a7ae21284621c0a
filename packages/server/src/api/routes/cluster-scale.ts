/**
 * `POST /api/v1/clusters/{name}/scale` and `/adapt` (spec §1.9, §1.10): forwarded to the
 * cluster's scheduler, clamped to its limits; a clamped answer counts as a `clamped` refusal.
 * @module
 */
import { Type } from 'typebox';
import { ScaleResult } from '@gatehouse/api';
import { validateAdaptBody, validateScaleCount } from '../../cluster-options/limits.js';
import type { ClusterRecord } from '../../clusters/model.js';
import { withRefusal } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { NameParams, nameOf, ownedCluster } from './cluster-lookup.js';
import type { NameRequest } from './name-request.js';

const ScaleBody = Type.Object({ count: Type.Integer({ minimum: 0 }) });
const AdaptBody = Type.Object({
  minimum: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  maximum: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  active: Type.Optional(Type.Boolean()),
});

/** The scale's answer with the budget's warning added (the client shows a GatewayWarning). */
function withWarning(r: ScaleResult, warning: string | null): ScaleResult {
  if (warning === null) return r;
  return { ok: false, msg: r.msg === null ? warning : `${r.msg} ${warning}` };
}

/** The owner's budget check of a scale (a refusal is recorded like a quota's). */
async function budgetCheck(
  ctx: ApiContext,
  c: ClusterRecord,
  count: number,
  actor: string
): Promise<string | null> {
  try {
    // A cluster waiting for machines already asked for its wanted count: lowering it is no scale-up.
    const current = Math.max(c.count, ctx.policy.queued(c.name)?.wanted ?? 0);
    return (await ctx.budgets?.checkScale(c, count, current)) ?? null;
  } catch (err) {
    const cluster = { name: c.name, owner: c.username };
    const reason = err instanceof Error ? err.message : String(err);
    throw withRefusal(err, { user: actor, action: 'scale', cluster, reason, metric: 'quota' });
  }
}

/** Registers the scale and adapt routes. */
export function registerScaleRoutes(app: ApiApp, ctx: ApiContext): void {
  const { manager } = ctx;
  const counted = (r: ScaleResult): ScaleResult => {
    if (!r.ok) ctx.metrics.refusal('clamped');
    return r;
  };

  app.post(
    '/api/v1/clusters/:cluster_name/scale',
    { schema: { params: NameParams, body: ScaleBody, response: { 200: ScaleResult } } },
    async (req: NameRequest) => {
      const user = await ctx.userAuth.require(req);
      const c = ownedCluster(ctx, user, nameOf(req), 'view', 'manage', 'scale');
      const count = validateScaleCount(req.body);
      const warning = await budgetCheck(ctx, c, count, user.name);
      return counted(withWarning(await manager.scale(c, count, user.name), warning));
    }
  );

  app.post(
    '/api/v1/clusters/:cluster_name/adapt',
    { schema: { params: NameParams, body: AdaptBody, response: { 200: ScaleResult } } },
    async (req: NameRequest) => {
      const user = await ctx.userAuth.require(req);
      const c = ownedCluster(ctx, user, nameOf(req), 'view', 'manage', 'adapt');
      const body = validateAdaptBody(req.body);
      return counted(await manager.adapt(c, body, user.name));
    }
  );
}
