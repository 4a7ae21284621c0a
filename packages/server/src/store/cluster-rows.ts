/**
 * Cluster and worker records to and from their table rows: stored backend state carried as
 * its backend's opaque blob, secrets opened, and the columns a save writes.
 * @module
 */
import type { ClusterRow, WorkerRow } from './tables.js';
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

/**
 * Decodes a stored backend state blob, unread: only the backend that wrote it decodes its
 * fields (see backends/backend-state.ts). A stored non-object (`null`) is the empty blob.
 */
export function parseState(text: string): BackendState {
  const v: unknown = JSON.parse(text);
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {};
}

/** The worker columns a save writes. */
export function mutableWorkerColumns(w: WorkerRecord) {
  return {
    status: w.status,
    target: w.target,
    state: JSON.stringify(w.state),
    close_expected: w.closeExpected ? 1 : 0,
    stop_time: w.stopTime,
  };
}

/** The cluster columns a save writes (the token is sealed separately). */
export function mutableClusterColumns(c: ClusterRecord) {
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

/** A worker record from its row. */
export function workerFromRow(w: WorkerRow): WorkerRecord {
  return {
    name: w.name,
    clusterName: w.cluster_name,
    status: toJobStatus(w.status),
    target: toJobStatus(w.target),
    state: parseState(w.state),
    closeExpected: w.close_expected === 1,
    startTime: num(w.start_time),
    stopTime: numOrNull(w.stop_time),
    version: num(w.version),
  };
}

/** A cluster record from its row and its workers' rows; secrets opened with `box`. */
export function clusterFromRow(
  row: ClusterRow,
  workers: WorkerRow[],
  box: SecretBox
): ClusterRecord {
  return {
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
    workers: new Map(workers.map((w) => [w.name, workerFromRow(w)])),
    version: num(row.version),
  };
}
