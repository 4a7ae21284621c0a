/**
 * The `budgets` section: core-hours each user may use per period (issue 21).
 * @module
 */
import { Type, type Static } from 'typebox';
import { Seconds } from './primitives.js';

/** A budget in core-hours, or null for none. */
const Hours = Type.Union([Type.Number({ minimum: 0 }), Type.Null()]);

/** Core-hour budgets per user and per group, per calendar period. */
export const BudgetsConfig = Type.Object(
  {
    period: Type.Union([Type.Literal('month'), Type.Literal('week'), Type.Literal('day')], {
      default: 'month',
      description: 'The calendar period (UTC) a budget covers; usage counts from its start.',
    }),
    users: Type.Record(Type.String(), Hours, {
      default: {},
      description: "Core-hours per period of named users (null: no budget); beats their groups'.",
    }),
    groups: Type.Record(Type.String(), Hours, {
      default: {},
      description:
        'Core-hours per period of each member of a group; a user in several gets the largest.',
    }),
    default: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
      default: null,
      description: 'Core-hours per period of everyone else; null = no budget.',
    }),
    grace_period: Seconds(
      900,
      "How long a user's running clusters keep running once the budget is used up (seconds)."
    ),
    warn_at: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.8,
      description: 'The share of the budget used at which the user is warned.',
    }),
    check_period: Type.Number({
      exclusiveMinimum: 0,
      default: 30,
      description: 'How often usage is checked against the budgets (seconds).',
    }),
  },
  { additionalProperties: false, default: {} }
);

/** The `budgets` section with defaults filled. */
export type BudgetsConfig = Static<typeof BudgetsConfig>;
