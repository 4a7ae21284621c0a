/**
 * Core-hour budgets on the wire (issue 21): `GET /api/v1/me/budget`, the admin's
 * `GET /api/v1/admin/budgets/{name}` and `POST /api/v1/admin/budgets/{name}/grants`.
 * @module
 */
import { Type, type Static } from 'typebox';

const Hours = Type.Union([Type.Number(), Type.Null()]);

/** One user's budget this period. */
export const BudgetJson = Type.Object(
  {
    username: Type.String(),
    period: Type.Union([Type.Literal('month'), Type.Literal('week'), Type.Literal('day')]),
    period_start: Type.Integer({ description: 'Start of the period (ms since the epoch, UTC)' }),
    period_end: Type.Integer({ description: 'End of the period (exclusive)' }),
    budget_core_hours: Hours,
    extra_core_hours: Type.Number({ description: 'Extra core-hours admins granted this period' }),
    used_core_hours: Type.Number(),
    left_core_hours: Hours,
    warn_at: Type.Number({ description: 'Share of the budget at which users are warned' }),
    state: Type.Union(
      [
        Type.Literal('none'),
        Type.Literal('ok'),
        Type.Literal('warning'),
        Type.Literal('exhausted'),
      ],
      { description: 'none: no budget applies' }
    ),
  },
  { additionalProperties: false }
);

/** One user's budget this period. */
export type BudgetJson = Static<typeof BudgetJson>;

/** An admin's grant of extra core-hours. */
export const BudgetGrantJson = Type.Object(
  {
    username: Type.String(),
    period_start: Type.Integer(),
    hours: Type.Number(),
    granted_by: Type.String(),
    granted_at: Type.Integer(),
    note: Type.String(),
  },
  { additionalProperties: false }
);

/** A user's budget with the grants of this period (the admin's view). */
export const BudgetAdminJson = Type.Object(
  { budget: BudgetJson, grants: Type.Array(BudgetGrantJson) },
  { additionalProperties: false }
);

/** A user's budget with the grants of this period (the admin's view). */
export type BudgetAdminJson = Static<typeof BudgetAdminJson>;

/** The most core-hours one grant gives (sums of grants stay finite numbers). */
export const MAX_GRANT_HOURS = 1_000_000;

/** The body of a grant of extra core-hours for the current period. */
export const BudgetGrantBody = Type.Object(
  {
    hours: Type.Number({ exclusiveMinimum: 0, maximum: MAX_GRANT_HOURS }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false }
);
