/**
 * The admin's cluster routes: every cluster of every user (filtered by status and user), and
 * stopping or scaling any of them (audited).
 * @module
 */
import { Type } from 'typebox';
import { AdminCluster, ClusterListQuery, ScaleResult } from '@gatehouse/api';
import { validateScaleCount } from '../../cluster-options/limits.js';
import type { ClusterRecord } from '../../clusters/model.js';
import { notFound } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import { pageClusters, parseClusterListQuery } from '../cluster-list.js';
import { clusterViewsWithUsage } from '../cluster-view.js';
import type { ApiContext } from '../context.js';
import { NameParams, NoContent, adminOf, type Named, type WithQuery } from './admin-common.js';
import { TOTAL_COUNT_HEADER } from './my-clusters.js';

/** The documented scale body. */
const CountBody = Type.Object({ count: Type.Integer({ minimum: 0 }) });

/** Registers `/api/v1/admin/clusters` and the stop and scale of one cluster. */
export function registerAdminClusterRoutes(app: ApiApp, ctx: ApiContext): void {
  const { manager, clock } = ctx;
  const admin = adminOf(ctx);
  const cluster = (name: string): ClusterRecord => {
    const c = manager.get(name);
    if (c === undefined) throw notFound(`Cluster ${name} not found`);
    return c;
  };

  app.get(
    '/api/v1/admin/clusters',
    {
      schema: { querystring: ClusterListQuery, response: { 200: Type.Array(AdminCluster) } },
    },
    async (req: WithQuery, reply) => {
      await admin(req);
      const query = parseClusterListQuery(req.query);
      const user = req.query['user'];
      const picked = [...manager.all()].filter(
        (c) => typeof user !== 'string' || c.username === user
      );
      const { page, total } = pageClusters(
        await clusterViewsWithUsage(ctx, picked, clock.now()),
        query
      );
      void reply.header(TOTAL_COUNT_HEADER, String(total));
      return page;
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
}
