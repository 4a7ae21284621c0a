/**
 * Persists cluster and worker records: every state change is written through, so a gateway
 * that restarts (or is killed) finds the truth in the database. Secrets are sealed at rest.
 * @module
 */
import type { Kysely } from 'kysely';
import type { Database, ClusterRow, WorkerRow } from './tables.js';
import type { SecretBox } from './secret-box.js';
import {
  toJobStatus,
  type BackendState,
  type ClusterIdentityState,
  type ClusterRecord,
  type WorkerRecord,
} from '../clusters/model.js';
import { parseStoredConfig } from './stored-config.js';
import { parseJsonObject } from './json-object.js';

/** Reads and writes cluster and worker records. */
export interface ClusterStore {
  insertCluster(c: ClusterRecord): Promise<void>;
  saveCluster(c: ClusterRecord): Promise<void>;
  insertWorker(w: WorkerRecord): Promise<void>;
  saveWorker(w: WorkerRecord): Promise<void>;
  /** Every cluster record with its workers. */
  loadAll(): Promise<ClusterRecord[]>;
  /** Deletes clusters (and their workers) that finished before `before` (ms). */
  deleteFinishedBefore(before: number): Promise<string[]>;
  close(): Promise<void>;
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);

/** Decodes a stored backend state; unknown or malformed fields are dropped (old records load). */
export function parseState(text: string): BackendState {
  const v: unknown = JSON.parse(text);
  if (typeof v !== 'object' || v === null) return {};
  const out: {
    workdir?: string;
    process?: { pid: number; startTicks: number };
    jobId?: string;
    identity?: ClusterIdentityState;
  } = {};
  const o = v as Record<string, unknown>;
  if (typeof o['workdir'] === 'string') out.workdir = o['workdir'];
  if (typeof o['jobId'] === 'string') out.jobId = o['jobId'];
  const p = o['process'];
  if (typeof p === 'object' && p !== null) {
    const { pid, startTicks } = p as Record<string, unknown>;
    if (typeof pid === 'number' && typeof startTicks === 'number')
      out.process = { pid, startTicks };
  }
  const i = o['identity'];
  if (typeof i === 'object' && i !== null) {
    const { slot, uid, gid, address } = i as Record<string, unknown>;
    if (isInt(slot) && isInt(uid) && isInt(gid) && typeof address === 'string') {
      out.identity = { slot, uid, gid, address };
    }
  }
  return out;
}

function workerRow(w: WorkerRecord): WorkerRow {
  return {
    name: w.name,
    cluster_name: w.clusterName,
    status: w.status,
    target: w.target,
    state: JSON.stringify(w.state),
    close_expected: w.closeExpected ? 1 : 0,
    start_time: w.startTime,
    stop_time: w.stopTime,
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
    startTime: row.start_time,
    stopTime: row.stop_time,
    stopReason: row.stop_reason,
    failures: row.failures,
    lastHeartbeat: 0,
    workers: new Map(
      workers.map((w) => [
        w.name,
        {
          name: w.name,
          clusterName: w.cluster_name,
          status: toJobStatus(w.status),
          target: toJobStatus(w.target),
          state: parseState(w.state),
          closeExpected: w.close_expected === 1,
          startTime: w.start_time,
          stopTime: w.stop_time,
        },
      ])
    ),
  });

  return {
    async insertCluster(c) {
      await db
        .insertInto('clusters')
        .values({
          name: c.name,
          username: c.username,
          options: JSON.stringify(c.options),
          config: JSON.stringify(c.config),
          token_sealed: box.seal(c.token),
          tls_cert: c.tlsCert,
          tls_key_sealed: box.seal(c.tlsKey),
          start_time: c.startTime,
          ...mutableClusterColumns(c),
        })
        .execute();
    },
    async saveCluster(c) {
      await db
        .updateTable('clusters')
        .set({ ...mutableClusterColumns(c), token_sealed: box.seal(c.token) })
        .where('name', '=', c.name)
        .execute();
    },
    async insertWorker(w) {
      await db.insertInto('workers').values(workerRow(w)).execute();
    },
    async saveWorker(w) {
      const { name: _n, cluster_name: _c, start_time: _s, ...rest } = workerRow(w);
      await db.updateTable('workers').set(rest).where('name', '=', w.name).execute();
    },
    async loadAll() {
      const rows = await db.selectFrom('clusters').selectAll().orderBy('start_time').execute();
      const workers = await db.selectFrom('workers').selectAll().orderBy('start_time').execute();
      const byCluster = new Map<string, WorkerRow[]>();
      for (const w of workers) {
        const list = byCluster.get(w.cluster_name) ?? [];
        list.push(w);
        byCluster.set(w.cluster_name, list);
      }
      return rows.map((r) => toRecord(r, byCluster.get(r.name) ?? []));
    },
    async deleteFinishedBefore(before) {
      const rows = await db
        .deleteFrom('clusters')
        .where('stop_time', 'is not', null)
        .where('stop_time', '<', before)
        .returning('name')
        .execute();
      return rows.map((r) => r.name);
    },
    async close() {
      await db.destroy();
    },
  };
}
