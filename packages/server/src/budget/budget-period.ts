/**
 * Budget periods: the calendar day, week (Monday first) or month, in UTC, a time falls in.
 * @module
 */

/** How long a budget lasts before it starts afresh. */
export type BudgetPeriod = 'month' | 'week' | 'day';

/** The bounds of one period: `start` inclusive, `end` exclusive (ms since the epoch). */
export interface PeriodBounds {
  readonly start: number;
  readonly end: number;
}

const DAY_MS = 86_400_000;

/** The period of kind `period` that `now` falls in. */
export function periodBounds(period: BudgetPeriod, now: number): PeriodBounds {
  const d = new Date(now);
  if (period === 'month') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    return { start, end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1) };
  }
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'day') return { start: day, end: day + DAY_MS };
  const sinceMonday = (d.getUTCDay() + 6) % 7;
  const start = day - sinceMonday * DAY_MS;
  return { start, end: start + 7 * DAY_MS };
}
