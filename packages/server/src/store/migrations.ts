/**
 * Schema migrations, imported explicitly so they compile with the code (no directory scans).
 * @module
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('clusters')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('config', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('target', 'integer', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('state', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('token_sealed', 'text', (c) => c.notNull())
      .addColumn('tls_cert', 'text', (c) => c.notNull())
      .addColumn('tls_key_sealed', 'text', (c) => c.notNull())
      .addColumn('scheduler_address', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('dashboard_address', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('api_address', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('start_time', 'integer', (c) => c.notNull())
      .addColumn('stop_time', 'integer')
      .addColumn('stop_reason', 'text')
      .addColumn('failures', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('clusters_username').on('clusters').column('username').execute();
    await db.schema
      .createTable('workers')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('cluster_name', 'text', (c) =>
        c.notNull().references('clusters.name').onDelete('cascade')
      )
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('target', 'integer', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('close_expected', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('start_time', 'integer', (c) => c.notNull())
      .addColumn('stop_time', 'integer')
      .execute();
    await db.schema.createIndex('workers_cluster').on('workers').column('cluster_name').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`drop table workers`.execute(db);
    await sql`drop table clusters`.execute(db);
  },
};

/** All migrations in order; names sort lexically. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ '0001-initial': initial }),
};
