/**
 * Routes for any authenticated user about their own access: who am I, ask for access, and the
 * shared pool's state.
 * @module
 */
import { Type } from 'typebox';
import { isRecord } from '../../cluster-options/guards.js';
import { invalid } from '../../errors.js';
import type { ApiApp } from '../app.js';
import type { ApiContext } from '../context.js';

const Me = Type.Object(
  {
    name: Type.String(),
    groups: Type.Array(Type.String()),
    admin: Type.Boolean(),
    granted: Type.Boolean(),
  },
  { additionalProperties: false }
);

const RequestJson = Type.Object(
  {
    id: Type.Integer(),
    username: Type.String(),
    message: Type.String(),
    status: Type.String(),
    created_at: Type.Integer(),
    decided_by: Type.Union([Type.String(), Type.Null()]),
    decided_at: Type.Union([Type.Integer(), Type.Null()]),
  },
  { additionalProperties: false }
);

const PoolJson = Type.Object(
  {
    machines_total: Type.Integer(),
    machines_in_use: Type.Integer(),
    machines_free: Type.Integer(),
    users_with_machines: Type.Integer(),
    your_machines: Type.Integer(),
    user_machine_cap: Type.Union([Type.Integer(), Type.Null()]),
    machine_types: Type.Array(
      Type.Object({
        name: Type.String(),
        cores: Type.Number(),
        memory: Type.Integer(),
        count: Type.Integer(),
      })
    ),
    per_user: Type.Optional(Type.Record(Type.String(), Type.Integer())),
  },
  { additionalProperties: false }
);

/** The JSON shape of an access request. */
export { RequestJson };

/** Registers `/api/v1/me`, `/api/v1/access-requests` and `/api/v1/pool`. */
export function registerAccessRoutes(app: ApiApp, ctx: ApiContext): void {
  app.get('/api/v1/me', { schema: { response: { 200: Me } } }, async (req) => {
    const p = await ctx.userAuth.identify(req);
    return { name: p.name, groups: [...p.groups], admin: p.admin, granted: p.granted };
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
    return ctx.policy.state(p.name, p.admin);
  });
}
