/**
 * What the admin routes share: the admin check, path parameters, the empty answer and the
 * quota's JSON form (a leaf module the admin registrars import).
 * @module
 */
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../access/access-control.js';
import type { Quota } from '../../pool/quota.js';
import type { ApiContext } from '../context.js';

/** A request naming a user, cluster, token or access request in its path. */
export type Named = FastifyRequest<{
  Params: { name: string };
  Querystring: Record<string, unknown>;
}>;
/** A request with a query string. */
export type WithQuery = FastifyRequest<{ Querystring: Record<string, unknown> }>;
/** The path parameters of the admin routes. */
export const NameParams = Type.Object({ name: Type.String() });
/** The documented empty answer. */
export const NoContent = { 204: { type: 'null', description: 'Done.' } } as const;

/** A quota as the API shows it. */
export function quotaJson(q: Quota) {
  return {
    max_clusters: q.maxClusters,
    max_workers: q.maxWorkers,
    max_cores: q.maxCores,
    max_memory: q.maxMemory,
  };
}

/** The admin making `req`; 401 or 403 (recorded as a refusal) otherwise. */
export function adminOf(ctx: ApiContext): (req: FastifyRequest) => Promise<Principal> {
  return (req) => ctx.userAuth.requireAdmin(req);
}
