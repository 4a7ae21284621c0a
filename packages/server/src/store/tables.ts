/**
 * Row types of the store's tables, as Kysely sees them.
 * @module
 */

/** One cluster record (secrets are sealed with the store's secret box). */
export interface ClusterRow {
  name: string;
  username: string;
  /** JSON: normalized user options. */
  options: string;
  /** JSON: resolved cluster configuration. */
  config: string;
  status: number;
  target: number;
  count: number;
  /** JSON: backend state (working directory, process identity). */
  state: string;
  token_sealed: string;
  tls_cert: string;
  tls_key_sealed: string;
  scheduler_address: string;
  dashboard_address: string;
  api_address: string;
  start_time: number;
  stop_time: number | null;
  stop_reason: string | null;
  failures: number;
}

/** One worker record. */
export interface WorkerRow {
  name: string;
  cluster_name: string;
  status: number;
  target: number;
  /** JSON: backend state (process identity). */
  state: string;
  close_expected: number;
  start_time: number;
  stop_time: number | null;
}

/** The whole database. */
export interface Database {
  clusters: ClusterRow;
  workers: WorkerRow;
}
