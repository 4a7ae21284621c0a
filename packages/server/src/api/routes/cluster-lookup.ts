/**
 * Finding the cluster a `/api/v1/clusters/{cluster_name}` request names: the name segment, the
 * cluster its token belongs to, and a cluster its user owns (a leaf module the cluster, scale
 * and heartbeat routes share).
 * @module
 */
import { Type } from 'typebox';
import type { User } from '../../auth/authenticator.js';
import { sameSecret } from '../../auth/same-secret.js';
import type { ClusterRecord } from '../../clusters/model.js';
import { GatewayError, forbidden, notFound } from '../../errors.js';
import type { ApiContext } from '../context.js';
import type { ShareLevel } from '../../shares/cluster-shares.js';
import { clusterFor } from './cluster-names.js';
import type { NameRequest } from './name-request.js';

/** The path parameters of the cluster routes. */
export const NameParams = Type.Object({ cluster_name: Type.String() });

/** The cluster whose token is in `Authorization: token <t>`, if it matches the named one. */
export function clusterByToken(ctx: ApiContext, req: NameRequest): ClusterRecord | null {
  const auth = req.headers.authorization;
  const m = auth === undefined ? null : /^token\s+(\S+)\s*$/i.exec(auth);
  if (m === null) return null;
  const c = ctx.manager.get(req.params.cluster_name);
  return c !== undefined && m[1] !== undefined && sameSecret(c.token, m[1]) ? c : null;
}

/** The `{cluster_name}` segment; an empty one (`/clusters//x`) matches no route (spec §1.2). */
export function nameOf(req: NameRequest): string {
  const name = req.params.cluster_name;
  if (name === '') {
    if (req.method === 'DELETE' && req.url.split('?')[0] === '/api/v1/clusters/') {
      throw new GatewayError(
        'method_not_allowed',
        `Method DELETE not allowed on /api/v1/clusters/`,
        {
          headers: { Allow: 'GET, POST' },
        }
      );
    }
    throw notFound('Not Found');
  }
  return name;
}

/**
 * Whether `user` may act on `c` at level `need`: its owner always; another user through a share
 * of `c` with them or one of their groups (`manage` covers `use`). A non-owner let through is
 * audited (`use shared cluster`, the action in the detail) and, through `ctx.sharedUse`, in the
 * cluster's events.
 */
export function mayUse(
  ctx: Pick<ApiContext, 'shares' | 'audit' | 'sharedUse'>,
  user: User,
  c: ClusterRecord,
  need: ShareLevel,
  action: string
): boolean {
  if (c.username === user.name) return true;
  const level = ctx.shares?.levelFor(c.name, user) ?? null;
  const ok = level === 'manage' || (level === 'use' && need === 'use');
  if (!ok) return false;
  if (ctx.sharedUse !== undefined) ctx.sharedUse(user.name, c, action, level);
  else ctx.audit(user.name, 'use shared cluster', c.name, 'ok', `${action} (${level})`);
  return true;
}

/**
 * The cluster `name` (an id, or a name `user` gave one of theirs) when `user` owns it or holds a
 * share of level `need` on it; 404 when there is none, 403 otherwise. A sharer's use is audited
 * as `action` (default: `verb`).
 */
export function ownedCluster(
  ctx: ApiContext,
  user: User,
  name: string,
  verb: 'view' | 'stop',
  need: ShareLevel = 'use',
  action: string = verb
): ClusterRecord {
  const c = clusterFor(ctx, user.name, name);
  if (c === undefined) throw notFound(`Cluster ${name} not found`);
  if (!mayUse(ctx, user, c, need, action))
    throw forbidden(`User ${user.name} lacks permissions to ${verb} cluster ${name}`);
  return c;
}
