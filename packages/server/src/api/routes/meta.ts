/**
 * Unauthenticated health and version routes, and the options spec (spec §1.3–§1.5).
 * @module
 */
import { Type } from 'typebox';
import { OptionsResponse } from '@gatehouse/api';
import type { ApiContext } from '../context.js';
import type { ApiApp } from '../api-app.js';

/** Registers `/api/health`, `/api/version` and `/api/v1/options`. */
export function registerMetaRoutes(app: ApiApp, ctx: ApiContext): void {
  app.get(
    '/api/health',
    { schema: { security: [], response: { 200: Type.Object({ status: Type.String() }) } } },
    () => ({ status: 'pass' })
  );
  app.get(
    '/api/version',
    { schema: { security: [], response: { 200: Type.Object({ version: Type.String() }) } } },
    () => ({ version: ctx.version })
  );
  app.get('/api/v1/options', { schema: { response: { 200: OptionsResponse } } }, async (req) => {
    const user = await ctx.userAuth.require(req);
    return { cluster_options: ctx.clusterOptions.spec(user) };
  });
}
