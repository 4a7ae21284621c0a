/**
 * The cluster routes the Python client and the scheduler preload use (spec §1.6–§1.12).
 * @module
 */
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { ClusterJson, ClusterMap, CreatedCluster, ScaleResult } from '@gatehouse/api';
import type { User } from '../../auth/authenticator.js';
import { sameSecret } from '../../auth/same-secret.js';
import { isRecord } from '../../cluster-options/guards.js';
import { validateAdaptBody, validateScaleCount } from '../../cluster-options/limits.js';
import type { ClusterRecord } from '../../clusters/model.js';
import { GatewayError, forbidden, invalid, notFound, withRefusal } from '../../errors.js';
import { toClusterJson } from '../cluster-json.js';
import type { ApiContext } from '../context.js';
import { parseStatuses, parseWait } from './query.js';
import type { ApiApp } from '../api-app.js';
import { registerHeartbeatRoute } from './heartbeat.js';
import type { NameRequest } from './name-request.js';

const NameParams = Type.Object({ cluster_name: Type.String() });

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
const CreateBody = Type.Object({
  cluster_options: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), {
      description: 'Values of the fields of GET /api/v1/options.',
    })
  ),
});
const ScaleBody = Type.Object({ count: Type.Integer({ minimum: 0 }) });
const AdaptBody = Type.Object({
  minimum: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  maximum: Type.Optional(Type.Union([Type.Integer({ minimum: 0 }), Type.Null()])),
  active: Type.Optional(Type.Boolean()),
});

/** The cluster whose token is in `Authorization: token <t>`, if it matches the named one. */
export function clusterByToken(ctx: ApiContext, req: NameRequest): ClusterRecord | null {
  const auth = req.headers.authorization;
  const m = auth === undefined ? null : /^token\s+(\S+)\s*$/i.exec(auth);
  if (m === null) return null;
  const c = ctx.manager.get(req.params.cluster_name);
  return c !== undefined && m[1] !== undefined && sameSecret(c.token, m[1]) ? c : null;
}

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

/** The `{cluster_name}` segment; an empty one (`/clusters//x`) matches no route (spec §1.2). */
function nameOf(req: NameRequest): string {
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

/** Registers the cluster routes. */
export function registerClusterRoutes(app: ApiApp, ctx: ApiContext): void {
  const { manager } = ctx;

  const owned = (user: User, name: string, verb: 'view' | 'stop'): ClusterRecord => {
    const c = manager.get(name);
    if (c === undefined) throw notFound(`Cluster ${name} not found`);
    if (c.username !== user.name)
      throw forbidden(`User ${user.name} lacks permissions to ${verb} cluster ${name}`);
    return c;
  };

  const list = async (req: FastifyRequest<{ Querystring: Record<string, unknown> }>) => {
    const user = await ctx.userAuth.require(req);
    const statuses = parseStatuses(req.query['status']);
    return Object.fromEntries(
      manager.list(user.name, statuses).map((c) => [c.name, toClusterJson(c)])
    );
  };
  const create = async (req: FastifyRequest, reply: { code(n: number): unknown }) => {
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
    let reservation;
    try {
      reservation = ctx.policy.reserveCreate(
        user.name,
        config.scheduler_cores,
        config.scheduler_memory
      );
    } catch (err) {
      throw createRefused(err, user.name, 'quota');
    }
    let c;
    try {
      c = await manager.create(user.name, options, config, () => {
        reservation.release();
      });
    } finally {
      reservation.release();
    }
    reply.code(201);
    return { name: c.name };
  };
  for (const url of ['/api/v1/clusters/', '/api/v1/clusters']) {
    app.get(url, { schema: { querystring: StatusQuery, response: { 200: ClusterMap } } }, list);
    app.post(url, { schema: { body: CreateBody, response: { 201: CreatedCluster } } }, create);
  }

  app.get(
    '/api/v1/clusters/:cluster_name',
    { schema: { params: NameParams, querystring: WaitQuery, response: { 200: ClusterJson } } },
    async (req: NameRequest) => {
      const user = await ctx.userAuth.require(req);
      const c = owned(user, nameOf(req), 'view');
      if (parseWait(req.query['wait'])) await manager.waitForChange(c);
      return toClusterJson(c);
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
        const c = manager.get(req.params.cluster_name);
        if (c !== undefined) {
          if (c.username !== user.name) {
            throw forbidden(`User ${user.name} lacks permissions to stop cluster ${c.name}`);
          }
          await manager.stop(c, 'user', user.name);
        }
      }
      return reply.code(204).send();
    }
  );

  const counted = (r: ScaleResult): ScaleResult => {
    if (!r.ok) ctx.metrics.refusal('clamped');
    return r;
  };

  app.post(
    '/api/v1/clusters/:cluster_name/scale',
    { schema: { params: NameParams, body: ScaleBody, response: { 200: ScaleResult } } },
    async (req: NameRequest) => {
      const user = await ctx.userAuth.require(req);
      const c = owned(user, nameOf(req), 'view');
      const count = validateScaleCount(req.body);
      return counted(await manager.scale(c, count, user.name));
    }
  );

  app.post(
    '/api/v1/clusters/:cluster_name/adapt',
    { schema: { params: NameParams, body: AdaptBody, response: { 200: ScaleResult } } },
    async (req: NameRequest) => {
      const user = await ctx.userAuth.require(req);
      const c = owned(user, nameOf(req), 'view');
      const body = validateAdaptBody(req.body);
      return counted(await manager.adapt(c, body, user.name));
    }
  );

  registerHeartbeatRoute(app, ctx, { nameOf, clusterByToken });
}
