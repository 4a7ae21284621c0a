/**
 * Sharing a cluster (issue 22): its owner grants, lists and revokes shares with users and
 * groups (`/api/v1/clusters/{cluster_name}/shares`); anyone lists the clusters shared with them
 * (`GET /api/v1/me/shared-clusters`, "shared with me"). Grants and revocations are audited; a
 * revocation cuts API access at once (the shares are checked on every request).
 * @module
 */
import { ClusterShareJson, ShareGrantBody, SharedCluster } from '@gatehouse/api';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { User } from '../../auth/authenticator.js';
import { isRecord } from '../../cluster-options/guards.js';
import type { ClusterRecord } from '../../clusters/model.js';
import { forbidden, invalid, notFound } from '../../errors.js';
import type { ClusterShare, ClusterShares, ShareLevel } from '../../shares/cluster-shares.js';
import type { ApiApp } from '../api-app.js';
import { bodyWithOnly } from '../body-fields.js';
import { clusterViewsWithUsage } from '../cluster-view.js';
import type { ApiContext } from '../context.js';
import { clusterFor } from './cluster-names.js';

const ShareParams = Type.Object({
  cluster_name: Type.String(),
  kind: Type.Union([Type.Literal('user'), Type.Literal('group')]),
  principal: Type.String(),
});
type ShareRequest = FastifyRequest<{
  Params: { cluster_name: string; kind: string; principal: string };
}>;

const toJson = (s: ClusterShare): ClusterShareJson => ({
  cluster: s.cluster,
  kind: s.kind,
  principal: s.principal,
  level: s.level,
  granted_by: s.grantedBy,
  granted_at: s.grantedAt,
});

/** The cluster `segment` names when `user` owns it (only owners share); 404 or 403 otherwise. */
function ownCluster(ctx: ApiContext, user: User, segment: string) {
  const c = clusterFor(ctx, user.name, segment);
  if (c === undefined) throw notFound(`Cluster ${segment} not found`);
  if (c.username !== user.name) {
    throw forbidden(`User ${user.name} lacks permissions to share cluster ${segment}`);
  }
  return c;
}

function shareKind(kind: string): 'user' | 'group' {
  if (kind === 'user' || kind === 'group') return kind;
  throw invalid(`the share kind must be 'user' or 'group', got '${kind}'`);
}

/** The level of a grant's body; 422 for anything but `{"level": "use" | "manage"}`. */
function grantLevel(body: unknown): ShareLevel {
  const level = isRecord(body) ? body['level'] : undefined;
  if (level !== 'use' && level !== 'manage') throw invalid(`level must be 'use' or 'manage'`);
  bodyWithOnly(body, ['level'], 'the body is {"level": "use"} or {"level": "manage"}');
  return level;
}

/** Registers the share routes over `shares`. */
export function registerShareRoutes(app: ApiApp, ctx: ApiContext, shares: ClusterShares): void {
  app.get(
    '/api/v1/clusters/:cluster_name/shares',
    {
      schema: {
        params: Type.Object({ cluster_name: Type.String() }),
        response: { 200: Type.Array(ClusterShareJson) },
      },
    },
    async (req: FastifyRequest<{ Params: { cluster_name: string } }>) => {
      const user = await ctx.userAuth.require(req);
      return shares.list(ownCluster(ctx, user, req.params.cluster_name).name).map(toJson);
    }
  );

  app.put(
    '/api/v1/clusters/:cluster_name/shares/:kind/:principal',
    { schema: { params: ShareParams, body: ShareGrantBody, response: { 200: ClusterShareJson } } },
    async (req: ShareRequest) => {
      const user = await ctx.userAuth.require(req);
      const c = ownCluster(ctx, user, req.params.cluster_name);
      const kind = shareKind(req.params.kind);
      const level = grantLevel(req.body);
      const principal = req.params.principal;
      if (principal === '' || (kind === 'user' && principal === user.name)) {
        throw invalid(`a cluster is shared with another user or a group, not '${principal}'`);
      }
      const share = {
        cluster: c.name,
        kind,
        principal,
        level,
        grantedBy: user.name,
        grantedAt: ctx.clock.now(),
      } as const;
      await shares.grant(share);
      ctx.audit(user.name, 'share cluster', c.name, 'ok', `${kind} ${principal}: ${level}`);
      return toJson(share);
    }
  );

  app.delete(
    '/api/v1/clusters/:cluster_name/shares/:kind/:principal',
    { schema: { params: ShareParams, response: { 204: Type.Null({ description: 'Revoked.' }) } } },
    async (req: ShareRequest, reply: FastifyReply) => {
      const user = await ctx.userAuth.require(req);
      const c = ownCluster(ctx, user, req.params.cluster_name);
      const { principal } = req.params;
      const kind = shareKind(req.params.kind);
      if (!(await shares.revoke(c.name, kind, principal))) {
        throw notFound(`Cluster ${c.name} is not shared with ${kind} ${principal}`);
      }
      ctx.audit(user.name, 'revoke cluster share', c.name, 'ok', `${kind} ${principal}`);
      return reply.code(204).send();
    }
  );

  app.get(
    '/api/v1/me/shared-clusters',
    { schema: { response: { 200: Type.Array(SharedCluster) } } },
    async (req: FastifyRequest): Promise<SharedCluster[]> => {
      const user = await ctx.userAuth.require(req);
      const shared = shares
        .sharedWith(user)
        .map((id) => ctx.manager.get(id))
        .filter((c): c is ClusterRecord => c !== undefined && c.username !== user.name);
      const views = await clusterViewsWithUsage(ctx, shared, ctx.clock.now());
      return views.map((v) => ({ ...v, share_level: shares.levelFor(v.name, user) ?? 'use' }));
    }
  );
}
