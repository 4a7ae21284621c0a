/**
 * Schema migrations, imported explicitly so they compile with the code (no directory scans).
 * @module
 */
import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { idColumn, isSqlite } from './dialect.js';
import { budgetGrants } from './migration-budget-grants.js';
import { queuePins } from './migration-queue-pins.js';

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
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('stop_time', 'bigint')
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
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('stop_time', 'bigint')
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
      .addColumn('granted_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('access_requests')
      .addColumn('id', ...idColumn(db))
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('decided_by', 'text')
      .addColumn('decided_at', 'bigint')
      .execute();
    await db.schema
      .createTable('api_tokens')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('token_hash', 'text', (c) => c.notNull().unique())
      .addColumn('admin', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('label', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('revoked_at', 'bigint')
      .execute();
    await db.schema
      .createTable('user_quotas')
      .addColumn('username', 'text', (c) => c.primaryKey())
      .addColumn('quota', 'text', (c) => c.notNull())
      .addColumn('set_by', 'text', (c) => c.notNull())
      .addColumn('set_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('audit')
      .addColumn('id', ...idColumn(db))
      .addColumn('time', 'bigint', (c) => c.notNull())
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
      .addColumn('cores', 'double precision', (c) => c.notNull())
      .addColumn('memory', 'bigint', (c) => c.notNull())
      .addColumn('start_time', 'bigint', (c) => c.notNull())
      .addColumn('stop_time', 'bigint')
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
      .addColumn('id', ...idColumn(db))
      .addColumn('time', 'bigint', (c) => c.notNull())
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

/** The meta key holding the highest event id ever assigned (ids are never reused). */
export const EVENTS_LAST_ID = 'events_last_id';

const versions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const t of ['clusters', 'workers']) {
      await db.schema
        .alterTable(t)
        .addColumn('version', 'bigint', (c) => c.notNull().defaultTo(1))
        .execute();
    }
    // The events id high-water mark moves from SQLite's own sequence table to a meta row, so
    // the store reads no dialect-only table. Only an SQLite database can have one to carry over.
    if (isSqlite(db)) {
      await sql`insert into gateway_meta (key, value)
        select ${EVENTS_LAST_ID}, cast(seq as text) from sqlite_sequence where name = 'events'
        on conflict (key) do nothing`.execute(db);
    }
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await sql`delete from gateway_meta where key = ${EVENTS_LAST_ID}`.execute(db);
    for (const t of ['workers', 'clusters']) {
      await db.schema.alterTable(t).dropColumn('version').execute();
    }
  },
};

const failureCondition: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('clusters').addColumn('failure_reason', 'text').execute();
    await db.schema.alterTable('clusters').addColumn('failure_evidence', 'text').execute();
    await db.schema.alterTable('clusters').addColumn('failure_at', 'bigint').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    for (const c of ['failure_at', 'failure_evidence', 'failure_reason']) {
      await db.schema.alterTable('clusters').dropColumn(c).execute();
    }
  },
};

const requestReason: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('access_requests').addColumn('reason', 'text').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('access_requests').dropColumn('reason').execute();
  },
};

const groupQuotas: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('group_quotas')
      .addColumn('group_name', 'text', (c) => c.primaryKey())
      .addColumn('quota', 'text', (c) => c.notNull())
      .addColumn('set_by', 'text', (c) => c.notNull())
      .addColumn('set_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('group_quotas').execute();
  },
};

const clusterNames: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    // The name a user gave the cluster (its `cluster_name` option), unique per user for as long
    // as the record is kept; NULL (no name) repeats freely in both dialects.
    await db.schema.alterTable('clusters').addColumn('given_name', 'text').execute();
    await db.schema
      .createIndex('clusters_username_given_name')
      .on('clusters')
      .columns(['username', 'given_name'])
      .unique()
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex('clusters_username_given_name').execute();
    await db.schema.alterTable('clusters').dropColumn('given_name').execute();
  },
};

const clusterShares: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('cluster_shares')
      .addColumn('cluster_name', 'text', (c) =>
        c.notNull().references('clusters.name').onDelete('cascade')
      )
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('principal', 'text', (c) => c.notNull())
      .addColumn('level', 'text', (c) => c.notNull())
      .addColumn('granted_by', 'text', (c) => c.notNull())
      .addColumn('granted_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('cluster_shares_pk', ['cluster_name', 'kind', 'principal'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('cluster_shares').execute();
  },
};

const poolQueue: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('pool_queue')
      .addColumn('cluster_name', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull())
      .addColumn('wanted', 'integer', (c) => c.notNull())
      .addColumn('since', 'bigint', (c) => c.notNull())
      .addColumn('updated', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('pool_queue').execute();
  },
};

/** The one row of the leader lease: who leads, since which takeover (epoch), until when. */
const leaderLease: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('leader_lease')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('epoch', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .addColumn('renewed_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('leader_lease').execute();
  },
};

/** Every migration by name, in order (names sort lexically). */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-initial': initial,
  '0002-access': access,
  '0003-events': events,
  '0004-gateway-meta': gatewayMeta,
  '0005-user-groups': userGroups,
  '0006-versions': versions,
  '0007-failure-condition': failureCondition,
  '0008-request-reason': requestReason,
  '0009-group-quotas': groupQuotas,
  '0010-cluster-names': clusterNames,
  '0011-cluster-shares': clusterShares,
  '0012-pool-queue': poolQueue,
  '0014-leader-lease': leaderLease,
  '0015-budget-grants': budgetGrants,
  '0016-queue-pins': queuePins,
};

/** A provider of the migrations up to and including `last` (tests build older databases). */
export function migrationsUpTo(last: string): MigrationProvider {
  const picked = Object.entries(MIGRATIONS).filter(([name]) => name <= last);
  return { getMigrations: () => Promise.resolve(Object.fromEntries(picked)) };
}

/** All migrations. */
export const migrationProvider: MigrationProvider = migrationsUpTo('9999');
