/**
 * `POST /api/v1/clusters/`: a new cluster from the user's options, within their quotas and the
 * pool (spec §1.7). A refused create says who was refused and why (by invalid options, or by a
 * quota, which is also counted and audited); the error handler records it.
 * @module
 */
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { isRecord } from '../../cluster-options/guards.js';
import { NAME_FIELD, clusterNameOf } from '../../cluster-options/cluster-name.js';
import { GatewayError, invalid, withRefusal } from '../../errors.js';
import type { ApiContext } from '../context.js';
import { createNameClaims } from './cluster-names.js';

/** The documented request body (the handler validates it). */
export const CreateBody = Type.Object({
  cluster_options: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), {
      description: 'Values of the fields of GET /api/v1/options.',
    })
  ),
});

/**
 * `err` as the refusal of a create: by invalid options (an event), or by a quota or the pool
 * (also counted as `quota` and audited).
 */
function createRefused(err: unknown, user: string, by: 'options' | 'quota'): unknown {
  return withRefusal(err, {
    user,
    action: 'create cluster',
    reason: err instanceof Error ? err.message : String(err),
    data: { action: 'create', by },
    ...(by === 'quota' ? { metric: 'quota', audit: true } : {}),
  });
}

/** The create handler. */
export function createClusterHandler(ctx: ApiContext) {
  const names = createNameClaims(ctx);
  return async (req: FastifyRequest, reply: { code(n: number): unknown }) => {
    const user = await ctx.userAuth.require(req);
    const body: unknown = req.body;
    const submitted = isRecord(body) ? (body['cluster_options'] ?? {}) : {};
    if (body !== undefined && body !== null && !isRecord(body)) {
      throw invalid('The request body must be a JSON object like {"cluster_options": {...}}');
    }
    let resolved;
    try {
      resolved = ctx.clusterOptions.resolve(user, submitted);
    } catch (err) {
      throw createRefused(err, user.name, 'options');
    }
    const { options, config } = resolved;
    try {
      await ctx.budgets?.checkCreate(user.name);
    } catch (err) {
      throw createRefused(err, user.name, 'quota');
    }
    const name = clusterNameOf(options);
    let releaseName: () => void = () => undefined;
    try {
      if (name !== null) releaseName = names.claim(user.name, name);
    } catch (err) {
      throw createRefused(err, user.name, 'options');
    }
    let reservation;
    try {
      reservation = ctx.policy.reserveCreate(
        user.name,
        config.scheduler_cores,
        config.scheduler_memory
      );
    } catch (err) {
      releaseName();
      throw createRefused(err, user.name, 'quota');
    }
    let c;
    try {
      c = await ctx.manager.create(user.name, options, config, () => {
        reservation.release();
      });
    } catch (err) {
      // The store's unique index refused a name another create took first.
      throw err instanceof GatewayError && err.field === NAME_FIELD
        ? createRefused(err, user.name, 'options')
        : err;
    } finally {
      releaseName();
      reservation.release();
    }
    reply.code(201);
    return { name: c.name };
  };
}
