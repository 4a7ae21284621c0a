/**
 * `GET /api/metrics`: the Prometheus text exposition of this gateway's registry, readable by
 * admins or with the scrape token of `metrics.token` (`Authorization: Bearer <token>`).
 * @module
 */
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import { sameSecret } from '../../auth/same-secret.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';

/** Whether `req` carries the configured scrape token. */
function hasScrapeToken(req: FastifyRequest, token: string | null): boolean {
  if (token === null) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return m?.[1] !== undefined && sameSecret(m[1], token);
}

/** Registers `/api/metrics`. */
export function registerMetricsRoute(app: ApiApp, ctx: ApiContext): void {
  app.get(
    '/api/metrics',
    {
      schema: {
        description:
          'Prometheus metrics (text exposition format 0.0.4); see docs/metrics.md. Admins, or the bearer token of `metrics.token`.',
        response: {
          200: {
            description: 'The metrics.',
            content: { 'text/plain': { schema: Type.String() } },
          },
        },
      },
    },
    async (req, reply) => {
      if (!hasScrapeToken(req, ctx.metricsToken)) await ctx.userAuth.requireAdmin(req);
      const text = await ctx.metrics.render();
      return reply.type(ctx.metrics.contentType).send(text);
    }
  );
}
