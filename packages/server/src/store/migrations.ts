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

const access: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('grants')
      .addColumn('username', 'text', (c) => c.primaryKey())
      .addColumn('granted_by', 'text', (c) => c.notNull())
      .addColumn('granted_at', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('access_requests')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'integer')
      .execute();
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'integer', (c) => c.notNull())
      .addColumn('revoked_at', 'integer')
      .execute();
    await db.schema
      .createTable('user_quotas')
      .addColumn('username', 'text', (c) => c.primaryKey())
      .addColumn('quota', 'text', (c) => c.notNull())
      .addColumn('set_by', 'text', (c) => c.notNull())
      .addColumn('set_at', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('audit')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('time', 'integer', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('outcome', 'text', (c) => c.notNull())
      .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema.createIndex('audit_time').on('audit').column('time').execute();
    await db.schema
      .createTable('usage')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('cluster_name', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('cores', 'real', (c) => c.notNull())
      .addColumn('memory', 'integer', (c) => c.notNull())
      .addColumn('start_time', 'integer', (c) => c.notNull())
      .addColumn('stop_time', 'integer')
      .execute();
    await db.schema
      .createIndex('usage_user_time')
      .on('usage')
      .columns(['username', 'start_time'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const t of ['usage', 'audit', 'user_quotas', 'api_tokens', 'access_requests', 'grants']) {
      await db.schema.dropTable(t).execute();
    }
  },
};

const gatewayMeta: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('gateway_meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('gateway_meta').execute();
  },
};

const events: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('events')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('time', 'integer', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('cluster', 'text')
      .addColumn('worker', 'text')
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('actor', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('data', 'text', (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema.createIndex('events_cluster').on('events').columns(['cluster', 'id']).execute();
    await db.schema
      .createIndex('events_username')
      .on('events')
      .columns(['username', 'id'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('events').execute();
  },
};

const userGroups: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('user_groups')
      .addColumn('username', 'text', (c) => c.primaryKey())
      .addColumn('groups', 'text', (c) => c.notNull())
      .addColumn('seen_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('user_groups').execute();
  },
};

/** All migrations in order; names sort lexically. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () =>
    Promise.resolve({
      '0001-initial': initial,
      '0002-access': access,
      '0003-events': events,
      '0004-gateway-meta': gatewayMeta,
      '0005-user-groups': userGroups,
    }),
};
