/**
 * Extra core-hours admins grant a user for the current budget period, in the store
 * (`budget_grants`, migration 0015).
 * @module
 */
import type { Kysely } from 'kysely';
import { int64 } from '../store/int64.js';
import type { Database } from '../store/tables.js';

/** One grant as the admin API shows it. */
export interface BudgetGrant {
  readonly username: string;
  readonly period_start: number;
  readonly hours: number;
  readonly granted_by: string;
  readonly granted_at: number;
  readonly note: string;
}

/** The persisted grants. */
export interface BudgetGrants {
  /** Records a grant. */
  add(g: BudgetGrant): Promise<void>;
  /** The grants to `username` in the period starting at `periodStart`. */
  list(username: string, periodStart: number): Promise<BudgetGrant[]>;
  /** Extra hours per user in the period starting at `periodStart`. */
  totals(periodStart: number): Promise<Map<string, number>>;
}

/** The grants over `db`. */
export function createBudgetGrants(db: Kysely<Database>): BudgetGrants {
  const out = (r: BudgetGrant): BudgetGrant => ({
    username: r.username,
    period_start: int64(r.period_start),
    hours: r.hours,
    granted_by: r.granted_by,
    granted_at: int64(r.granted_at),
    note: r.note,
  });
  return {
    async add(g) {
      await db.insertInto('budget_grants').values(g).execute();
    },
    async list(username, periodStart) {
      const rows = await db
        .selectFrom('budget_grants')
        .select(['username', 'period_start', 'hours', 'granted_by', 'granted_at', 'note'])
        .where('username', '=', username)
        .where('period_start', '=', periodStart)
        .orderBy('granted_at')
        .execute();
      return rows.map(out);
    },
    async totals(periodStart) {
      const rows = await db
        .selectFrom('budget_grants')
        .select(['username', 'hours'])
        .where('period_start', '=', periodStart)
        .execute();
      const m = new Map<string, number>();
      for (const r of rows) m.set(r.username, (m.get(r.username) ?? 0) + r.hours);
      return m;
    },
  };
}
