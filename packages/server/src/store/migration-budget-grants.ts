/**
 * Migration 0015: `budget_grants`, the extra core-hours admins grant a user for one budget
 * period (issue 21). Usage itself is never counted here: it is read from `usage`.
 * @module
 */
import type { Kysely, Migration } from 'kysely';
import { idColumn } from './dialect.js';

/** Creates `budget_grants`. */
export const budgetGrants: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('budget_grants')
      .addColumn('id', ...idColumn(db))
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('period_start', 'bigint', (c) => c.notNull())
      .addColumn('hours', 'real', (c) => c.notNull())
      .addColumn('granted_by', 'text', (c) => c.notNull())
      .addColumn('granted_at', 'bigint', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema
      .createIndex('budget_grants_user_period')
      .on('budget_grants')
      .columns(['username', 'period_start'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('budget_grants').execute();
  },
};
