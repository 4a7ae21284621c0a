/**
 * The caller's clusters as the web UI and the CLI show them, beside the client's ClusterJSON
 * routes whose shape must not change: `GET /api/v1/me/clusters` (filtered, sorted, paged; the
 * total in `X-Total-Count`) and `GET /api/v1/me/clusters/{name}` (one cluster with its worker
 * series; admins may read any, a user holding a share reads it with its `share_level`, anyone
 * else gets 404 for a cluster not theirs).
 * @module
 */
import { AdminCluster, ClusterDetail, ClusterListQuery } from '@gatehouse/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import { pageClusters, parseClusterListQuery } from '../cluster-list.js';
import { clusterViewsWithUsage } from '../cluster-view.js';
import type { ApiContext } from '../context.js';
import { workerSeries, MAX_POINTS } from '../worker-series.js';
import { mayUse } from './cluster-lookup.js';
import { clusterFor } from './cluster-names.js';

/** The total-count header of the cluster lists. */
export const TOTAL_COUNT_HEADER = 'X-Total-Count';

/** The most events a worker series is rebuilt from. */
const SERIES_EVENTS = 20 * MAX_POINTS;

/** Registers `/api/v1/me/clusters` and `/api/v1/me/clusters/{name}`. */
export function registerMyClusterRoutes(app: ApiApp, ctx: ApiContext): void {
  app.get(
    '/api/v1/me/clusters',
    {
      schema: {
        querystring: ClusterListQuery,
        response: { 200: Type.Array(AdminCluster) },
      },
    },
    async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply: FastifyReply) => {
      const p = await ctx.userAuth.require(req);
      const query = parseClusterListQuery(req.query);
      const mine = [...ctx.manager.all()].filter((c) => c.username === p.name);
      const views = await clusterViewsWithUsage(ctx, mine, ctx.clock.now());
      const { page, total } = pageClusters(views, query);
      void reply.header(TOTAL_COUNT_HEADER, String(total));
      return page;
    }
  );

  app.get(
    '/api/v1/me/clusters/:name',
    {
      schema: {
        params: Type.Object({ name: Type.String() }),
        response: { 200: ClusterDetail },
      },
    },
    async (req: FastifyRequest<{ Params: { name: string } }>) => {
      const p = await ctx.userAuth.require(req);
      const c = clusterFor(ctx, p.name, req.params.name);
      const shared =
        c === undefined || c.username === p.name ? null : (ctx.shares?.levelFor(c.name, p) ?? null);
      if (c === undefined || (c.username !== p.name && !p.admin && shared === null))
        throw notFound(`Cluster ${req.params.name} not found`);
      if (shared !== null) mayUse(ctx, p, c, 'use', 'view');
      const [view] = await clusterViewsWithUsage(ctx, [c], ctx.clock.now());
      if (view === undefined) throw notFound(`Cluster ${req.params.name} not found`);
      const events = await ctx.events.list(
        { cluster: c.name, username: null },
        null,
        SERIES_EVENTS
      );
      const series = workerSeries(events, c.startTime);
      return shared === null
        ? { ...view, worker_series: series }
        : { ...view, worker_series: series, share_level: shared };
    }
  );
}
