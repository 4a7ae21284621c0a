/**
 * `GET /api/v1/me/clusters`: the caller's clusters as the web UI shows them (workers, cores and
 * memory in use, age, lifetime left, stop reason), beside the client's ClusterJSON routes whose
 * shape must not change.
 * @module
 */
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { publicStatus } from '../../clusters/model.js';
import { AdminCluster } from '@gatehouse/api';
import { clusterView } from '../cluster-view.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { parseStatuses } from './query.js';

/** Registers `/api/v1/me/clusters`. */
export function registerMyClusterRoutes(app: ApiApp, ctx: ApiContext): void {
  app.get(
    '/api/v1/me/clusters',
    { schema: { response: { 200: Type.Array(AdminCluster) } } },
    async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
      const p = await ctx.userAuth.require(req);
      const statuses = parseStatuses(req.query['status']);
      const now = ctx.clock.now();
      return [...ctx.manager.all()]
        .filter((c) => c.username === p.name)
        .filter((c) => (statuses === null ? c.target <= 3 : statuses.has(publicStatus(c))))
        .sort((a, b) => b.startTime - a.startTime)
        .map((c) => clusterView(c, now));
    }
  );
}
