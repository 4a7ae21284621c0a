/**
 * A user's budget as it stands: the core-hours the config allows them, the extra hours admins
 * granted, what they used this period (from the recorded usage) and what is left.
 * @module
 */
import type { BudgetsConfig } from '../config/sections/budgets.js';
import type { PeriodBounds } from './budget-period.js';

/** Where a user stands: no budget, under the warning line, past it, or out of hours. */
export type BudgetState = 'none' | 'ok' | 'warning' | 'exhausted';

/** One user's budget this period (the wire shape of `GET /api/v1/me/budget`). */
export interface BudgetStatus {
  readonly username: string;
  readonly period: BudgetsConfig['period'];
  readonly period_start: number;
  readonly period_end: number;
  /** Core-hours the config allows per period; null: no budget. */
  readonly budget_core_hours: number | null;
  /** Extra core-hours admins granted for this period. */
  readonly extra_core_hours: number;
  readonly used_core_hours: number;
  /** Budget plus extra minus used (never below 0); null: no budget. */
  readonly left_core_hours: number | null;
  readonly warn_at: number;
  readonly state: BudgetState;
}

/**
 * The budget in core-hours that applies to `user` with `groups`: their own setting, else the
 * largest of their groups' (a group's budget is each member's), else the default.
 */
export function budgetLimit(
  cfg: Pick<BudgetsConfig, 'users' | 'groups' | 'default'>,
  user: string,
  groups: readonly string[]
): number | null {
  if (Object.hasOwn(cfg.users, user)) return cfg.users[user] ?? null;
  const mine = groups.filter((g) => Object.hasOwn(cfg.groups, g)).map((g) => cfg.groups[g]);
  if (mine.length > 0) return mine.some((h) => h === null) ? null : Math.max(...(mine as number[]));
  return cfg.default;
}

/** What the status is computed from. */
export interface BudgetInputs {
  readonly username: string;
  readonly period: BudgetsConfig['period'];
  readonly bounds: PeriodBounds;
  readonly limit: number | null;
  readonly extra: number;
  readonly used: number;
  readonly warnAt: number;
}

/** The status of one user's budget. */
export function budgetStatus(i: BudgetInputs): BudgetStatus {
  const total = i.limit === null ? null : i.limit + i.extra;
  const state: BudgetState =
    total === null
      ? 'none'
      : i.used >= total
        ? 'exhausted'
        : i.used >= total * i.warnAt
          ? 'warning'
          : 'ok';
  return {
    username: i.username,
    period: i.period,
    period_start: i.bounds.start,
    period_end: i.bounds.end,
    budget_core_hours: i.limit,
    extra_core_hours: i.extra,
    used_core_hours: i.used,
    left_core_hours: total === null ? null : Math.max(0, total - i.used),
    warn_at: i.warnAt,
    state,
  };
}

/** Core-hours as users read them: at most 3 decimals, at least 2 significant digits. */
export function hoursText(h: number): string {
  const digits = h >= 1 || h === 0 ? 2 : Math.min(6, 1 - Math.floor(Math.log10(h)));
  return `${String(Number(h.toFixed(digits)))} core-hours`;
}
