/**
 * Persists cluster and worker records: every state change is written through, so a gateway
 * that restarts (or is killed) finds the truth in the database. Secrets are sealed at rest.
 * @module
 */
import type { Kysely } from 'kysely';
import type { Database, ClusterRow, WorkerRow } from './tables.js';
import * as q from './cluster-queries.js';
import { StaleWriteError } from './stale-write.js';
import { int64 as num, int64OrNull as numOrNull } from './int64.js';
import type { SecretBox } from './secret-box.js';
import {
  toJobStatus,
  type BackendState,
  type ClusterRecord,
  type WorkerRecord,
} from '../clusters/model.js';
import { parseStoredConfig } from './stored-config.js';
import { parseJsonObject } from './json-object.js';

/** Reads and writes cluster and worker records. */
export interface ClusterStore {
  /** Inserts a new cluster at version 1 (sets `c.version`). */
  insertCluster(c: ClusterRecord): Promise<void>;
  /**
   * Writes `c` if the stored row still has `c.version`, then bumps it. Throws
   * `StaleWriteError` (code `conflict`) when another writer changed or deleted the row.
   */
  saveCluster(c: ClusterRecord): Promise<void>;
  /** Inserts a new worker at version 1 (sets `w.version`). */
  insertWorker(w: WorkerRecord): Promise<void>;
  /** As `saveCluster`, for a worker. */
  saveWorker(w: WorkerRecord): Promise<void>;
  /** Every cluster record with its workers. */
  loadAll(): Promise<ClusterRecord[]>;
  /** Deletes clusters (and their workers) that finished before `before` (ms). */
  deleteFinishedBefore(before: number): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Decodes a stored backend state blob, unread: only the backend that wrote it decodes its
 * fields (see backends/backend-state.ts). A stored non-object (`null`) is the empty blob.
 */
export function parseState(text: string): BackendState {
  const v: unknown = JSON.parse(text);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
}

function mutableWorkerColumns(w: WorkerRecord) {
  return {
    status: w.status,
    target: w.target,
    state: JSON.stringify(w.state),
    close_expected: w.closeExpected ? 1 : 0,
    stop_time: w.stopTime,
  };
}

/**
 * Runs writes to one key one after another, so a record's saves in this process never race
 * each other: each reads the version the previous one left.
 */
function createKeyedSerializer() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const prev = tails.get(key) ?? Promise.resolve();
    const next = prev.then(run, run);
    const tail = next.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return next;
  };
}

function mutableClusterColumns(c: ClusterRecord) {
  return {
    status: c.status,
    target: c.target,
    count: c.count,
    state: JSON.stringify(c.state),
    scheduler_address: c.schedulerAddress,
    dashboard_address: c.dashboardAddress,
    api_address: c.apiAddress,
    stop_time: c.stopTime,
    stop_reason: c.stopReason,
    failures: c.failures,
  };
}

/** A store over a migrated Kysely database. */
export function createClusterStore(db: Kysely<Database>, box: SecretBox): ClusterStore {
  const toWorker = (w: WorkerRow): WorkerRecord => ({
    name: w.name,
    clusterName: w.cluster_name,
    status: toJobStatus(w.status),
    target: toJobStatus(w.target),
    state: parseState(w.state),
    closeExpected: w.close_expected === 1,
    startTime: num(w.start_time),
    stopTime: numOrNull(w.stop_time),
    version: num(w.version),
  });
  const toRecord = (row: ClusterRow, workers: WorkerRow[]): ClusterRecord => ({
    name: row.name,
    username: row.username,
    options: parseJsonObject(row.options),
    config: parseStoredConfig(row.config),
    status: toJobStatus(row.status),
    target: toJobStatus(row.target),
    count: row.count,
    state: parseState(row.state),
    token: box.open(row.token_sealed),
    tlsCert: row.tls_cert,
    tlsKey: box.open(row.tls_key_sealed),
    schedulerAddress: row.scheduler_address,
    dashboardAddress: row.dashboard_address,
    apiAddress: row.api_address,
    startTime: num(row.start_time),
    stopTime: numOrNull(row.stop_time),
    stopReason: row.stop_reason,
    failures: row.failures,
    lastHeartbeat: 0,
    workers: new Map(workers.map((w) => [w.name, toWorker(w)])),
    version: num(row.version),
  });
  const serial = createKeyedSerializer();
  /** After 0 rows updated: re-read the stored version and refuse with it. */
  const refuse = async (table: 'clusters' | 'workers', key: string, held: number) => {
    const select = table === 'clusters' ? q.selectClusterVersion : q.selectWorkerVersion;
    const row = await select(db, key).executeTakeFirst();
    throw new StaleWriteError(table, key, held, row === undefined ? null : num(row.version));
  };

  return {
    async insertCluster(c) {
      await serial(`c:${c.name}`, async () => {
        await q
          .insertClusterRow(db, {
            name: c.name,
            username: c.username,
            options: JSON.stringify(c.options),
            config: JSON.stringify(c.config),
            token_sealed: box.seal(c.token),
            tls_cert: c.tlsCert,
            tls_key_sealed: box.seal(c.tlsKey),
            start_time: c.startTime,
            ...mutableClusterColumns(c),
            version: 1,
          })
          .execute();
        c.version = 1;
      });
    },
    saveCluster: (c) =>
      serial(`c:${c.name}`, async () => {
        const held = c.version ?? 1;
        const set = { ...mutableClusterColumns(c), token_sealed: box.seal(c.token) };
        const r = await q.updateClusterIfVersion(db, c.name, held, set).executeTakeFirst();
        if (r.numUpdatedRows === 0n) await refuse('clusters', c.name, held);
        c.version = held + 1;
      }),
    insertWorker: (w) =>
      serial(`w:${w.name}`, async () => {
        await q
          .insertWorkerRow(db, {
            name: w.name,
            cluster_name: w.clusterName,
            start_time: w.startTime,
            ...mutableWorkerColumns(w),
            version: 1,
          })
          .execute();
        w.version = 1;
      }),
    saveWorker: (w) =>
      serial(`w:${w.name}`, async () => {
        const held = w.version ?? 1;
        const set = mutableWorkerColumns(w);
        const r = await q.updateWorkerIfVersion(db, w.name, held, set).executeTakeFirst();
        if (r.numUpdatedRows === 0n) await refuse('workers', w.name, held);
        w.version = held + 1;
      }),
    async loadAll() {
      const rows = await q.selectClusterRows(db).execute();
      const workers = await q.selectWorkerRows(db).execute();
      const byCluster = new Map<string, WorkerRow[]>();
      for (const w of workers) {
        const list = byCluster.get(w.cluster_name) ?? [];
        list.push(w);
        byCluster.set(w.cluster_name, list);
      }
      return rows.map((r) => toRecord(r, byCluster.get(r.name) ?? []));
    },
    async deleteFinishedBefore(before) {
      const rows = await q.deleteClustersStoppedBefore(db, before).execute();
      return rows.map((r) => r.name);
    },
    async close() {
      await db.destroy();
    },
  };
}
