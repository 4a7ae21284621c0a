/**
 * The cluster routes the Python client and the scheduler preload use (spec §1.6–§1.12): list,
 * create (cluster-create.ts), get with long poll, stop, scale and adapt (cluster-scale.ts) and
 * the heartbeat (heartbeat.ts).
 * @module
 */
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { ClusterJson, ClusterMap, CreatedCluster } from '@gatehouse/api';
import { forbidden } from '../../errors.js';
import { toClusterJson } from '../cluster-json.js';
import type { ApiContext } from '../context.js';
import type { ApiApp } from '../api-app.js';
import { CreateBody, createClusterHandler } from './cluster-create.js';
import { NameParams, clusterByToken, mayUse, nameOf, ownedCluster } from './cluster-lookup.js';
import { clusterFor } from './cluster-names.js';
import { registerScaleRoutes } from './cluster-scale.js';
import { registerHeartbeatRoute } from './heartbeat.js';
import type { NameRequest } from './name-request.js';
import { parseStatuses, parseWait } from './query.js';

// Documentation of the request bodies and query strings (the handlers validate them).
const StatusQuery = Type.Object({
  status: Type.Optional(
    Type.String({
      description: 'Comma-separated statuses (PENDING, RUNNING, STOPPING, STOPPED, FAILED).',
    })
  ),
});
const WaitQuery = Type.Object({
  wait: Type.Optional(
    Type.String({
      description:
        'Long poll: answer when the cluster runs or stops, or after 20 s (empty or non-zero).',
    })
  ),
});
/** Registers the cluster routes. */
export function registerClusterRoutes(app: ApiApp, ctx: ApiContext): void {
  const { manager } = ctx;

  const list = async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
    const user = await ctx.userAuth.require(req);
    const statuses = parseStatuses(req.query['status']);
    return Object.fromEntries(
      manager.list(user.name, statuses).map((c) => [c.name, toClusterJson(c)])
    );
  };
  const create = createClusterHandler(ctx);
  for (const url of ['/api/v1/clusters/', '/api/v1/clusters']) {
    app.get(url, { schema: { querystring: StatusQuery, response: { 200: ClusterMap } } }, list);
    app.post(url, { schema: { body: CreateBody, response: { 201: CreatedCluster } } }, create);
  }

  app.get(
    '/api/v1/clusters/:cluster_name',
    { schema: { params: NameParams, querystring: WaitQuery, response: { 200: ClusterJson } } },
    async (req: NameRequest) => {
      const user = await ctx.userAuth.require(req);
      let c = ownedCluster(ctx, user, nameOf(req), 'view');
      if (parseWait(req.query['wait'])) {
        await manager.waitForChange(c);
        // A share revoked while the request waited must not hand over the credentials.
        c = ownedCluster(ctx, user, nameOf(req), 'view');
      }
      return toClusterJson(c, c.username !== user.name);
    }
  );

  app.delete(
    '/api/v1/clusters/:cluster_name',
    { schema: { params: NameParams, response: { 204: { type: 'null', description: 'Done.' } } } },
    async (req: NameRequest, reply) => {
      nameOf(req);
      const byToken = clusterByToken(ctx, req);
      if (byToken !== null) {
        await manager.stop(byToken, 'idle');
      } else {
        const user = await ctx.userAuth.require(req);
        const c = clusterFor(ctx, user.name, req.params.cluster_name);
        if (c !== undefined) {
          if (!mayUse(ctx, user, c, 'manage', 'stop')) {
            throw forbidden(`User ${user.name} lacks permissions to stop cluster ${c.name}`);
          }
          await manager.stop(c, 'user', user.name);
        }
      }
      return reply.code(204).send();
    }
  );

  registerScaleRoutes(app, ctx);
  registerHeartbeatRoute(app, ctx, { nameOf, clusterByToken });
}
