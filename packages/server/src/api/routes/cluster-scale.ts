/**
 * `POST /api/v1/clusters/{name}/scale` and `/adapt` (spec §1.9, §1.10): forwarded to the
 * cluster's scheduler, clamped to its limits; a clamped answer counts as a `clamped` refusal.
 * @module
 */
import { Type } from 'typebox';
import { ScaleResult } from '@gatehouse/api';
import { validateAdaptBody, validateScaleCount } from '../../cluster-options/limits.js';
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
      return counted(await manager.scale(c, count, user.name));
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
