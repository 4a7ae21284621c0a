/**
 * `GET <prefix>/clusters/{cluster_name}/...` for a name (issue 22): a cluster's dashboard is
 * routed by its id (`/clusters/<id>/`, the scheduler serves under that prefix), so a request
 * naming one of the caller's own clusters by its given name is redirected to the same path
 * under the id, where the dashboard's own authorization applies. Only requests no dashboard
 * route claimed reach the API, so ids never get here while their cluster runs; names resolve
 * among the caller's clusters only, never another user's.
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { publicStatus } from '../../clusters/model.js';
import { notFound } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { namedCluster } from './cluster-names.js';

type NamedDashboardRequest = FastifyRequest<{ Params: { cluster_name: string; '*': string } }>;

/** Registers the redirect from a named dashboard path to the cluster's own. */
export function registerNamedDashboardRoute(app: ApiApp, ctx: ApiContext, prefix: string): void {
  app.get(
    '/clusters/:cluster_name/*',
    {
      schema: {
        summary: "A dashboard path naming one of the caller's clusters by its given name",
        params: Type.Object({ cluster_name: Type.String(), '*': Type.String() }),
        response: {
          302: Type.Null({ description: 'To the same path under the cluster id' }),
        },
      },
    },
    async (req: NamedDashboardRequest, reply: FastifyReply) => {
      const user = await ctx.userAuth.require(req);
      const name = req.params.cluster_name;
      const c = namedCluster(ctx.manager.all(), user.name, name);
      if (c === undefined || c.dashboardAddress === '' || publicStatus(c) !== 'RUNNING') {
        throw notFound(`Cluster ${name} has no dashboard`);
      }
      const q = req.url.indexOf('?');
      const query = q < 0 ? '' : req.url.slice(q);
      const rest = req.params['*'].split('/').map(encodeURIComponent).join('/');
      return reply.redirect(`${prefix}/clusters/${encodeURIComponent(c.name)}/${rest}${query}`);
    }
  );
}
