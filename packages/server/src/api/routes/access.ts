/**
 * Routes for any authenticated user about their own access: who am I, ask for access, and the
 * shared pool's state.
 * @module
 */
import { MeJson, PoolJson, RequestJson } from '@gatehouse/api';
import { Type } from 'typebox';
import { isRecord } from '../../cluster-options/guards.js';
import { invalid } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { meJson } from '../me-json.js';

/** Registers `/api/v1/me`, `/api/v1/access-requests` and `/api/v1/pool`. */
export function registerAccessRoutes(app: ApiApp, ctx: ApiContext): void {
  app.get('/api/v1/me', { schema: { response: { 200: MeJson } } }, async (req) => {
    const p = await ctx.userAuth.identify(req);
    return meJson(ctx, p);
  });

  app.post(
    '/api/v1/access-requests',
    {
      schema: {
        body: Type.Object({ message: Type.Optional(Type.String({ maxLength: 2000 })) }),
        response: { 201: RequestJson },
      },
    },
    async (req, reply) => {
      const p = await ctx.userAuth.identify(req);
      const body: unknown = req.body ?? {};
      const message = isRecord(body) ? body['message'] : undefined;
      if (message !== undefined && (typeof message !== 'string' || message.length > 2000)) {
        throw invalid('message must be a string of at most 2000 characters');
      }
      if (p.granted) throw invalid(`User ${p.name} already has access; no request is needed`);
      const r = await ctx.accessStore.fileRequest(p.name, message ?? '', ctx.clock.now());
      ctx.audit(p.name, 'request access', p.name, 'ok', message ?? '');
      return reply.code(201).send(r);
    }
  );

  app.get('/api/v1/pool', { schema: { response: { 200: PoolJson } } }, async (req) => {
    const p = await ctx.userAuth.require(req);
    const newCluster = ctx.clusterOptions.profiles(p).map(({ name, config: c }) => {
      const fit = ctx.policy.newClusterFit(p.name, {
        workerCores: c.worker_cores,
        workerMemory: c.worker_memory,
        schedulerCores: c.scheduler_cores,
        schedulerMemory: c.scheduler_memory,
        ...(name === null ? {} : { profile: name }),
      });
      return {
        profile: name,
        worker_cores: c.worker_cores,
        worker_memory: c.worker_memory,
        workers_per_machine: fit.perMachine,
        workers_now: fit.workers,
        limited_by: fit.limit,
        message: fit.message,
      };
    });
    const queue = ctx.policy
      .queueView()
      .filter((e) => p.admin || e.user === p.name)
      .map((e) => ({
        cluster: e.cluster,
        username: e.user,
        wanted: e.wanted,
        granted: e.granted,
        position: e.position,
        usage_core_hours: e.usage,
        ...((e.pinned ?? null) === null ? {} : { pinned: true }),
      }));
    return { ...ctx.policy.state(p.name, p.admin), new_cluster: newCluster, queue };
  });
}
