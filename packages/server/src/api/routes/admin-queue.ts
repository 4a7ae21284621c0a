/**
 * The admin's moves in the pool's wait queue: moving a waiting cluster to a place in line
 * (it holds there while usage changes) and dropping one (its cluster is scaled to the workers
 * it holds, so its scheduler stops asking for more). Both audited.
 * @module
 */
import { Type } from 'typebox';
import { ScaleResult } from '@gatehouse/api';
import { bodyWithOnly } from '../body-fields.js';
import { invalid, notFound } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { NameParams, NoContent, adminOf, type Named } from './admin-common.js';

const MoveBody = Type.Object(
  { position: Type.Integer({ minimum: 1, description: 'The place in line, from 1' }) },
  { additionalProperties: false }
);

/** The place a move asks for, checked here (the validator compiler passes bodies on). */
function positionOf(body: unknown): number {
  const shape = 'the body is {"position": <place in line, from 1>}';
  const position = bodyWithOnly(body, ['position'], shape)['position'];
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 1) {
    throw invalid(`position must be a whole number from 1: ${shape}`);
  }
  return position;
}

/** Registers `/api/v1/admin/queue/{name}` (DELETE) and `/api/v1/admin/queue/{name}/move`. */
export function registerAdminQueueRoutes(app: ApiApp, ctx: ApiContext): void {
  const { policy, manager } = ctx;
  const admin = adminOf(ctx);
  const waiting = (name: string) => {
    const e = policy.queueView().find((q) => q.cluster === name);
    if (e === undefined) throw notFound(`Cluster ${name} is not waiting for machines`);
    return e;
  };

  app.post(
    '/api/v1/admin/queue/:name/move',
    { schema: { params: NameParams, body: MoveBody, response: NoContent } },
    async (req: Named, reply) => {
      const p = await admin(req);
      const name = req.params.name;
      const position = positionOf(req.body);
      waiting(name);
      policy.moveQueued(name, position);
      ctx.audit(p.name, 'move in pool queue', name, 'ok', `to place ${String(position)}`);
      return reply.code(204).send();
    }
  );

  app.delete(
    '/api/v1/admin/queue/:name',
    { schema: { params: NameParams, response: { 200: ScaleResult } } },
    async (req: Named) => {
      const p = await admin(req);
      const e = waiting(req.params.name);
      const c = manager.get(e.cluster);
      if (c === undefined) throw notFound(`Cluster ${e.cluster} not found`);
      const result = await manager.scale(c, e.granted, p.name);
      ctx.audit(p.name, 'drop from pool queue', e.cluster, 'ok', `kept ${String(e.granted)}`);
      return result;
    }
  );
}
