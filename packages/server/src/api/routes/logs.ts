/**
 * `GET /api/v1/clusters/{name}/logs`: the output of a cluster's scheduler and workers, kept
 * outside the working directory so it outlives the cluster. The owner and admins may read it.
 * `?process=<name>` picks one process, `?tail=<n>` its last lines (200 by default), and
 * `?tail=all` or `?full=1` the whole kept log (rotated copies included).
 * @module
 */
import { LogsJson } from '@gatehouse/api';
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { forbidden, invalid, notFound } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import type { WorkerRecord } from '../../clusters/model.js';
import { mayUse } from './cluster-lookup.js';
import { clusterFor } from './cluster-names.js';
import { parseWait } from './query.js';

type LogsRequest = FastifyRequest<{
  Params: { cluster_name: string };
  Querystring: Record<string, unknown>;
}>;

/** Lines to return from `?tail=` (default 200), or null for the whole log (`tail=all`, `?full`). */
function parseTail(tailRaw: unknown, full: unknown): number | null {
  if (parseWait(full)) return null;
  if (tailRaw === 'all') return null;
  const tail = Number(tailRaw ?? '200');
  if (!Number.isInteger(tail) || tail < 1 || tail > 100_000) {
    throw invalid("tail must be an integer from 1 to 100000, or 'all'");
  }
  return tail;
}

/** Registers the logs route. */
export function registerLogRoutes(app: ApiApp, ctx: ApiContext): void {
  app.get(
    '/api/v1/clusters/:cluster_name/logs',
    {
      schema: {
        params: Type.Object({ cluster_name: Type.String() }),
        querystring: Type.Object({
          tail: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 200 })),
          process: Type.Optional(
            Type.String({ description: "Only this process ('scheduler' or a worker name)." })
          ),
        }),
        response: { 200: LogsJson },
      },
    },
    async (req: LogsRequest) => {
      const user = await ctx.userAuth.require(req);
      const c = clusterFor(ctx, user.name, req.params.cluster_name);
      if (c === undefined) throw notFound(`Cluster ${req.params.cluster_name} not found`);
      if (!user.admin && !mayUse(ctx, user, c, 'use', 'logs')) {
        throw forbidden(`User ${user.name} lacks permissions to view cluster ${c.name}`);
      }
      const tail = parseTail(req.query['tail'], req.query['full']);
      const read = (w: WorkerRecord | null) =>
        tail === null ? ctx.manager.logFull(c, w) : ctx.manager.logTail(c, w, tail);
      const only = req.query['process'];
      const processes = [
        { name: 'scheduler', kind: 'scheduler', worker: null },
        ...[...c.workers.values()].map((w) => ({ name: w.name, kind: 'worker', worker: w })),
      ]
        .filter((p) => only === undefined || p.name === only)
        .map(async (p) => ({ name: p.name, kind: p.kind, text: await read(p.worker) }));
      if (typeof only === 'string' && processes.length === 0) {
        throw notFound(`Cluster ${c.name} has no process named ${only}`);
      }
      return { cluster: c.name, processes: await Promise.all(processes) };
    }
  );
}
