/**
 * Migration 0016: `pool_queue.pinned`, an admin's placement of a waiting cluster ahead of
 * the fair-share order (null: fair share).
 * @module
 */
import type { Kysely, Migration } from 'kysely';

/** Adds `pool_queue.pinned`. */
export const queuePins: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('pool_queue').addColumn('pinned', 'integer').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('pool_queue').dropColumn('pinned').execute();
  },
};
