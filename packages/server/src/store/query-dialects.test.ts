/**
 * Every query the stores issue, and every migration, compiles under Kysely's PostgreSQL
 * dialect as well as SQLite's, so adding PostgreSQL means adding a driver. Each builder module
 * is enumerated: a new builder without sample arguments here fails the coverage check.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DummyDriver,
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { Database } from './tables.js';
import { postgresCompiler } from './dialect.js';
import { MIGRATIONS } from './migrations.js';
import * as clusterQueries from './cluster-queries.js';
import * as accessQueries from './access-queries.js';
import * as metaQueries from './meta-queries.js';
import * as eventQueries from '../events/event-queries.js';

type Db = Kysely<Database>;
interface Compilable {
  compile(): CompiledQuery;
}

const clusterRow = {
  name: 'c',
  username: 'u',
  options: '{}',
  config: '{}',
  status: 1,
  target: 2,
  count: 0,
  state: '{}',
  token_sealed: 't',
  tls_cert: 'x',
  tls_key_sealed: 'k',
  scheduler_address: '',
  dashboard_address: '',
  api_address: '',
  start_time: 1,
  stop_time: null,
  stop_reason: null,
  failures: 0,
  version: 1,
};
const workerSet = { status: 1, target: 2, state: '{}', close_expected: 0, stop_time: null };
const filter = { cluster: 'c', username: 'u' };

/** Sample calls of every builder, by module and export name (some more than once). */
const calls: Record<string, Record<string, ((db: Db) => Compilable)[]>> = {
  clusterQueries: {
    insertClusterRow: [(db) => clusterQueries.insertClusterRow(db, clusterRow)],
    updateClusterIfVersion: [
      (db) => clusterQueries.updateClusterIfVersion(db, 'c', 3, { status: 2, stop_time: 9 }),
    ],
    selectClusterVersion: [(db) => clusterQueries.selectClusterVersion(db, 'c')],
    insertWorkerRow: [
      (db) =>
        clusterQueries.insertWorkerRow(db, {
          ...workerSet,
          name: 'w',
          cluster_name: 'c',
          start_time: 1,
          version: 1,
        }),
    ],
    updateWorkerIfVersion: [(db) => clusterQueries.updateWorkerIfVersion(db, 'w', 3, workerSet)],
    selectWorkerVersion: [(db) => clusterQueries.selectWorkerVersion(db, 'w')],
    selectClusterRows: [(db) => clusterQueries.selectClusterRows(db)],
    selectWorkerRows: [(db) => clusterQueries.selectWorkerRows(db)],
    deleteClustersStoppedBefore: [(db) => clusterQueries.deleteClustersStoppedBefore(db, 5)],
  },
  accessQueries: {
    selectGrants: [(db) => accessQueries.selectGrants(db)],
    selectGrant: [(db) => accessQueries.selectGrant(db, 'u')],
    insertGrant: [(db) => accessQueries.insertGrant(db, 'u', 'a', 1)],
    deleteGrant: [(db) => accessQueries.deleteGrant(db, 'u')],
    selectPendingRequest: [(db) => accessQueries.selectPendingRequest(db, 'u')],
    selectLatestRequest: [(db) => accessQueries.selectLatestRequest(db, 'u')],
    insertRequest: [
      (db) =>
        accessQueries.insertRequest(db, {
          username: 'u',
          message: 'm',
          status: 'pending',
          created_at: 1,
          decided_by: null,
          decided_at: null,
        }),
    ],
    selectRequests: [
      (db) => accessQueries.selectRequests(db),
      (db) => accessQueries.selectRequests(db, 'pending'),
    ],
    selectRequest: [(db) => accessQueries.selectRequest(db, 1)],
    updateRequestDecision: [
      (db) => accessQueries.updateRequestDecision(db, 1, 'denied', 'a', 2, 'why'),
    ],
    insertToken: [
      (db) =>
        accessQueries.insertToken(db, {
          id: 'i',
          username: 'u',
          admin: 0,
          label: '',
          created_by: 'a',
          created_at: 1,
          revoked_at: null,
          token_hash: 'h',
        }),
    ],
    selectTokenByHash: [(db) => accessQueries.selectTokenByHash(db, 'h')],
    selectTokens: [
      (db) => accessQueries.selectTokens(db),
      (db) => accessQueries.selectTokens(db, 'u'),
    ],
    updateTokenRevoked: [(db) => accessQueries.updateTokenRevoked(db, 'i', 2)],
    countTokenRows: [(db) => accessQueries.countTokenRows(db)],
    selectUserQuota: [(db) => accessQueries.selectUserQuota(db, 'u')],
    selectUserQuotas: [(db) => accessQueries.selectUserQuotas(db)],
    deleteUserQuota: [(db) => accessQueries.deleteUserQuota(db, 'u')],
    upsertUserQuota: [(db) => accessQueries.upsertUserQuota(db, 'u', '{}', 'a', 1)],
    selectGroupQuotas: [(db) => accessQueries.selectGroupQuotas(db)],
    deleteGroupQuota: [(db) => accessQueries.deleteGroupQuota(db, 'g')],
    upsertGroupQuota: [(db) => accessQueries.upsertGroupQuota(db, 'g', '{}', 'a', 1)],
    selectUserGroups: [(db) => accessQueries.selectUserGroups(db)],
    upsertUserGroups: [(db) => accessQueries.upsertUserGroups(db, 'u', '[]', 1)],
    insertAudit: [
      (db) =>
        accessQueries.insertAudit(db, {
          time: 1,
          actor: 'a',
          action: 'x',
          target: '',
          outcome: 'ok',
          detail: '',
        }),
    ],
    selectAudit: [
      (db) => accessQueries.selectAudit(db, undefined, 10),
      (db) => accessQueries.selectAudit(db, 5, 10),
    ],
    insertUsage: [
      (db) =>
        accessQueries.insertUsage(db, {
          id: 'i',
          username: 'u',
          cluster_name: 'c',
          kind: 'worker',
          cores: 0.5,
          memory: 2 ** 33,
          start_time: 1,
          stop_time: null,
        }),
    ],
    updateUsageStop: [(db) => accessQueries.updateUsageStop(db, 'i', 2)],
    selectUsageSince: [(db) => accessQueries.selectUsageSince(db, 1)],
  },
  metaQueries: {
    insertMetaIfAbsent: [(db) => metaQueries.insertMetaIfAbsent(db, 'k', 'v')],
    selectMeta: [(db) => metaQueries.selectMeta(db, 'k')],
  },
  eventQueries: {
    selectMaxEventId: [(db) => eventQueries.selectMaxEventId(db)],
    upsertEventsMark: [(db) => eventQueries.upsertEventsMark(db, 7)],
    insertEventRows: [
      (db) =>
        eventQueries.insertEventRows(db, [
          {
            id: 1,
            time: 1,
            type: 't',
            cluster: 'c',
            worker: null,
            username: 'u',
            actor: 'a',
            message: '',
            data: '{}',
          },
        ]),
    ],
    selectEvents: [
      (db) => eventQueries.selectEvents(db, filter, null, 10),
      (db) => eventQueries.selectEvents(db, { cluster: null, username: null }, 3, 10),
    ],
    deleteEventsOfClusters: [(db) => eventQueries.deleteEventsOfClusters(db, ['a', 'b'])],
    deleteUnboundEventsBefore: [(db) => eventQueries.deleteUnboundEventsBefore(db, 5)],
  },
};

const modules: Record<string, Record<string, unknown>> = {
  clusterQueries,
  accessQueries,
  metaQueries,
  eventQueries,
};

/** A driver that runs nothing and keeps the SQL it was given. */
function recordingDriver(seen: string[]): Driver {
  const connection: DatabaseConnection = {
    executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
      seen.push(q.sql);
      return Promise.resolve({ rows: [] });
    },
    streamQuery() {
      throw new Error('not streamed');
    },
  };
  const dummy = new DummyDriver();
  return {
    init: () => dummy.init(),
    acquireConnection: () => Promise.resolve(connection),
    beginTransaction: () => Promise.resolve(),
    commitTransaction: () => Promise.resolve(),
    rollbackTransaction: () => Promise.resolve(),
    releaseConnection: () => Promise.resolve(),
    destroy: () => dummy.destroy(),
  };
}

function sqliteCompiler(): Db {
  return new Kysely<Database>({
    dialect: {
      createAdapter: () => new SqliteAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new SqliteIntrospector(db),
      createQueryCompiler: () => new SqliteQueryCompiler(),
    },
  });
}

describe('store queries in two dialects', () => {
  it('lists a sample call for every exported builder', () => {
    for (const [mod, exports] of Object.entries(modules)) {
      const builders = Object.entries(exports)
        .filter(([, v]) => typeof v === 'function')
        .map(([k]) => k)
        .sort();
      assert.deepEqual(Object.keys(calls[mod] ?? {}).sort(), builders, mod);
    }
  });

  it('compiles every query for SQLite and PostgreSQL', () => {
    const pg = postgresCompiler();
    const lite = sqliteCompiler();
    let n = 0;
    for (const [mod, byName] of Object.entries(calls)) {
      for (const [name, samples] of Object.entries(byName)) {
        for (const build of samples) {
          const p = build(pg).compile();
          const s = build(lite).compile();
          assert.match(p.sql, /^(select|insert|update|delete) /, `${mod}.${name}`);
          assert.ok(!p.sql.includes('`'), `${mod}.${name}: no backquotes on PostgreSQL`);
          // PostgreSQL numbers its parameters; SQLite uses `?`. Same arguments either way.
          assert.equal(p.parameters.length, s.parameters.length, `${mod}.${name}`);
          if (p.parameters.length > 0) assert.match(p.sql, /\$1\b/, `${mod}.${name}`);
          n++;
        }
      }
    }
    assert.ok(n >= 45, `compiled ${String(n)} queries`);
  });

  it('the compare-and-set update bumps the version and checks the held one', () => {
    const { sql, parameters } = clusterQueries
      .updateClusterIfVersion(postgresCompiler(), 'c', 3, { status: 2 })
      .compile();
    assert.match(sql, /"version" = "version" \+ \$\d/);
    assert.match(sql, /where "name" = \$\d and "version" = \$\d$/);
    assert.deepEqual(parameters.slice(-2), ['c', 3]);
  });

  it('runs every migration as PostgreSQL: identity columns, 64-bit times, no SQLite tables', async () => {
    const seen: string[] = [];
    const pg = postgresCompiler(recordingDriver(seen));
    for (const m of Object.values(MIGRATIONS)) await m.up(pg);
    const ddl = seen.join(';\n');
    assert.ok(seen.length > 10, 'the migrations issued their statements');
    assert.doesNotMatch(ddl, /autoincrement|sqlite_/i);
    assert.match(ddl, /"id" bigint generated by default as identity primary key/);
    assert.doesNotMatch(ddl, /"(start_time|stop_time|time|created_at|granted_at)" integer/);
    assert.match(ddl, /"start_time" bigint not null/);
    assert.match(ddl, /add column "version" bigint default 1 not null/);
    assert.match(ddl, /add column "failure_at" bigint/);
  });

  it('runs every migration as SQLite with the SQLite forms (positive control)', async () => {
    const seen: string[] = [];
    const lite = new Kysely<unknown>({
      dialect: {
        createAdapter: () => new SqliteAdapter(),
        createDriver: () => recordingDriver(seen),
        createIntrospector: (db) => new SqliteIntrospector(db),
        createQueryCompiler: () => new SqliteQueryCompiler(),
      },
    });
    for (const m of Object.values(MIGRATIONS)) await m.up(lite);
    const ddl = seen.join(';\n');
    assert.match(ddl, /"id" integer primary key autoincrement/);
    assert.match(ddl, /sqlite_sequence/);
  });
});
