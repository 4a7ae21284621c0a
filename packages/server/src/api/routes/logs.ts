/**
 * `GET /api/v1/clusters/{name}/logs`: the output of a cluster's scheduler and workers, kept
 * outside the working directory so it outlives the cluster. The owner and admins may read it.
 * @module
 */
import { LogsJson } from '@gatehouse/api';
import type { FastifyRequest } from 'fastify';
import { forbidden, invalid, notFound } from '../../errors.js';
import type { ApiApp } from '../app.js';
import type { ApiContext } from '../context.js';

type LogsRequest = FastifyRequest<{
  Params: { cluster_name: string };
  Querystring: Record<string, unknown>;
}>;

/** Registers the logs route. */
export function registerLogRoutes(app: ApiApp, ctx: ApiContext): void {
  app.get(
    '/api/v1/clusters/:cluster_name/logs',
    { schema: { response: { 200: LogsJson } } },
    async (req: LogsRequest) => {
      const user = await ctx.userAuth.require(req);
      const c = ctx.manager.get(req.params.cluster_name);
      if (c === undefined) throw notFound(`Cluster ${req.params.cluster_name} not found`);
      if (c.username !== user.name && !user.admin) {
        throw forbidden(`User ${user.name} lacks permissions to view cluster ${c.name}`);
      }
      const tailRaw = req.query['tail'] ?? '200';
      const tail = Number(tailRaw);
      if (!Number.isInteger(tail) || tail < 1 || tail > 100_000) {
        throw invalid('tail must be an integer from 1 to 100000');
      }
      const only = req.query['process'];
      const processes = [
        { name: 'scheduler', kind: 'scheduler', text: ctx.manager.logTail(c, null, tail) },
        ...[...c.workers.values()].map((w) => ({
          name: w.name,
          kind: 'worker',
          text: ctx.manager.logTail(c, w, tail),
        })),
      ].filter((p) => only === undefined || p.name === only);
      if (typeof only === 'string' && processes.length === 0) {
        throw notFound(`Cluster ${c.name} has no process named ${only}`);
      }
      return { cluster: c.name, processes };
    }
  );
}
