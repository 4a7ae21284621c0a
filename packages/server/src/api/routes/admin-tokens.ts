/**
 * The admin's API token routes: list, issue (the token is shown once) and revoke; issuing and
 * revoking are audited.
 * @module
 */
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IssuedToken, TokenJson } from '@gatehouse/api';
import { isRecord } from '../../cluster-options/guards.js';
import { invalid, notFound } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { NameParams, NoContent, adminOf, type Named, type WithQuery } from './admin-common.js';

/** A stored token as the API shows it. */
function tokenJson(t: {
  id: string;
  username: string;
  admin: number;
  label: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
}) {
  return { ...t, admin: t.admin === 1 };
}

/** The handler issuing a token (`POST /api/v1/admin/tokens`). */
function issueToken(ctx: ApiContext) {
  const admin = adminOf(ctx);
  return async (req: FastifyRequest, reply: FastifyReply) => {
    const p = await admin(req);
    const body = req.body;
    if (!isRecord(body) || typeof body['username'] !== 'string' || body['username'] === '') {
      throw invalid('Give the token\'s user: {"username": "alice", "label": "ci", "admin": false}');
    }
    const { admin: adminFlag = false, label = '' } = body;
    if (typeof adminFlag !== 'boolean') throw invalid('admin must be true or false');
    if (typeof label !== 'string' || label.length > 200) {
      throw invalid('label must be a string of at most 200 characters');
    }
    const isAdmin = adminFlag;
    const { token, info } = await ctx.accessStore.issueToken({
      username: body['username'],
      admin: isAdmin,
      label,
      by: p.name,
      now: ctx.clock.now(),
    });
    ctx.audit(
      p.name,
      'issue token',
      info.username,
      'ok',
      `token ${info.id}${isAdmin ? ' (admin)' : ''}`
    );
    return reply.code(201).send({ token, info: tokenJson(info) });
  };
}

/** Registers `/api/v1/admin/tokens` and the revocation of one. */
export function registerAdminTokenRoutes(app: ApiApp, ctx: ApiContext): void {
  const { accessStore, clock } = ctx;
  const admin = adminOf(ctx);

  app.get(
    '/api/v1/admin/tokens',
    {
      schema: {
        querystring: Type.Object({ user: Type.Optional(Type.String()) }),
        response: { 200: Type.Array(TokenJson) },
      },
    },
    async (req: WithQuery) => {
      await admin(req);
      const user = req.query['user'];
      return (await accessStore.listTokens(typeof user === 'string' ? user : undefined)).map(
        tokenJson
      );
    }
  );

  app.post(
    '/api/v1/admin/tokens',
    {
      schema: {
        body: Type.Object({
          username: Type.String({ minLength: 1 }),
          label: Type.Optional(Type.String({ maxLength: 200 })),
          admin: Type.Optional(Type.Boolean()),
        }),
        response: {
          201: IssuedToken,
        },
      },
    },
    issueToken(ctx)
  );

  app.delete(
    '/api/v1/admin/tokens/:name',
    { schema: { params: NameParams, response: NoContent } },
    async (req: Named, reply) => {
      const p = await admin(req);
      const revoked = await accessStore.revokeToken(req.params.name, clock.now());
      if (!revoked) throw notFound(`Token ${req.params.name} not found or already revoked`);
      ctx.audit(p.name, 'revoke token', req.params.name, 'ok');
      return reply.code(204).send();
    }
  );
}
