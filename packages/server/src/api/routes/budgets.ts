/**
 * Core-hour budget routes (issue 21): a user's own budget, an admin's view of anyone's, and an
 * admin's grant of extra hours for the current period (persisted and audited).
 * @module
 */
import { BudgetAdminJson, BudgetGrantBody, BudgetJson, MAX_GRANT_HOURS } from '@gatehouse/api';
import type { Budgets } from '../../budget/budgets.js';
import { bodyWithOnly } from '../body-fields.js';
import { invalid } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { NameParams, adminOf, type Named } from './admin-common.js';

/** The hours and note of a grant's body, checked here (the validator compiler passes bodies on). */
function grantOf(body: unknown): { hours: number; note: string } {
  const shape = 'the body is {"hours": <number>, "note": "<text>"}';
  const { hours, note = '' } = bodyWithOnly(body, ['hours', 'note'], shape);
  if (typeof hours !== 'number' || !(hours > 0) || hours > MAX_GRANT_HOURS) {
    throw invalid(`hours must be a number above 0 and at most ${String(MAX_GRANT_HOURS)}`);
  }
  if (typeof note !== 'string' || note.length > 500) {
    throw invalid('note must be text of at most 500 characters');
  }
  return { hours, note };
}

/** Registers `/api/v1/me/budget` and `/api/v1/admin/budgets/{name}[/grants]`. */
export function registerBudgetRoutes(app: ApiApp, ctx: ApiContext, budgets: Budgets): void {
  const admin = adminOf(ctx);

  app.get('/api/v1/me/budget', { schema: { response: { 200: BudgetJson } } }, async (req) => {
    const p = await ctx.userAuth.require(req);
    return budgets.status(p.name);
  });

  app.get(
    '/api/v1/admin/budgets/:name',
    { schema: { params: NameParams, response: { 200: BudgetAdminJson } } },
    async (req: Named) => {
      await admin(req);
      const name = req.params.name;
      return { budget: await budgets.status(name), grants: await budgets.grantsOf(name) };
    }
  );

  app.post(
    '/api/v1/admin/budgets/:name/grants',
    {
      schema: {
        params: NameParams,
        body: BudgetGrantBody,
        response: { 201: BudgetJson },
      },
    },
    async (req: Named, reply) => {
      const p = await admin(req);
      const { hours, note } = grantOf(req.body);
      const status = await budgets.grant(req.params.name, hours, p.name, note);
      ctx.audit(p.name, 'grant budget hours', req.params.name, 'ok', `${String(hours)} h ${note}`);
      reply.code(201);
      return status;
    }
  );
}
