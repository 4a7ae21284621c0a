/**
 * Row types of the store's tables, as Kysely sees them.
 * @module
 */
import type { Generated } from 'kysely';

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
  /** The observed failure condition: reason, bounded evidence, time (migration 0007). */
  failure_reason: string | null;
  failure_evidence: string | null;
  failure_at: number | null;
  /** Bumped by every update; writes compare-and-set on it (migration 0006). */
  version: number;
  /** The name the user gave it, unique per user; null without one (migration 0010). */
  given_name: string | null;
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
  /** Bumped by every update; writes compare-and-set on it (migration 0006). */
  version: number;
}

/** A user an admin granted access to. */
export interface GrantRow {
  username: string;
  granted_by: string;
  granted_at: number;
}

/** A request for access filed by an ungranted user. */
export interface AccessRequestRow {
  id: Generated<number>;
  username: string;
  message: string;
  status: 'pending' | 'approved' | 'denied';
  created_at: number;
  decided_by: string | null;
  decided_at: number | null;
  /** The admin's reason for a denial (migration 0008); null without one. */
  reason: string | null;
}

/** An API token (only its SHA-256 hash is kept). */
export interface ApiTokenRow {
  id: string;
  username: string;
  token_hash: string;
  admin: number;
  label: string;
  created_by: string;
  created_at: number;
  revoked_at: number | null;
}

/** A per-user quota override set by an admin (JSON of a partial quota). */
/** The groups a user had when last seen (group quotas apply to heartbeats after a restart). */
export interface UserGroupsRow {
  username: string;
  /** JSON array of group names. */
  groups: string;
  seen_at: number;
}

/** An admin's quota override for one user (JSON). */
export interface UserQuotaRow {
  username: string;
  quota: string;
  set_by: string;
  set_at: number;
}

/** An admin's override of a group's quota (migration 0009). */
export interface GroupQuotaRow {
  group_name: string;
  quota: string;
  set_by: string;
  set_at: number;
}

/** A cluster waiting for machines in the pool's queue (migration 0012). */
export interface PoolQueueRow {
  cluster_name: string;
  username: string;
  /** The worker count it wants in all. */
  wanted: number;
  /** When it joined the queue (ms). */
  since: number;
  /** When a scale last set its count (ms; 0 for heartbeats). */
  updated: number;
  /** An admin's placement ahead of fair share (migration 0016); null: fair share. */
  pinned: number | null;
}

/** One audited action or refusal. */
export interface AuditRow {
  id: Generated<number>;
  time: number;
  actor: string;
  action: string;
  target: string;
  outcome: 'ok' | 'refused';
  detail: string;
}

/** A scheduler or worker's lifetime, for core-hours and memory-hours reports. */
export interface UsageRow {
  id: string;
  username: string;
  cluster_name: string;
  kind: 'scheduler' | 'worker';
  cores: number;
  memory: number;
  start_time: number;
  stop_time: number | null;
}

/** Extra core-hours an admin granted a user for one budget period (migration 0015). */
export interface BudgetGrantRow {
  id: Generated<number>;
  username: string;
  /** The start of the period the hours count in (ms). */
  period_start: number;
  hours: number;
  granted_by: string;
  granted_at: number;
  note: string;
}

/** One fact about this gateway installation (e.g. its instance id). */
export interface GatewayMetaRow {
  key: string;
  value: string;
}

/** One recorded cluster event (see `@gatehouse/api` ClusterEvent). */
export interface EventRow {
  id: number;
  time: number;
  type: string;
  cluster: string | null;
  worker: string | null;
  username: string;
  actor: string;
  message: string;
  /** JSON object. */
  data: string;
}

/** A cluster shared with a user or a group (migration 0011). */
export interface ClusterShareRow {
  cluster_name: string;
  kind: 'user' | 'group';
  principal: string;
  level: 'use' | 'manage';
  granted_by: string;
  granted_at: number;
}

/** The leader lease (migration 0014): one row, `name` 'leader'; times are the database's ms. */
export interface LeaderLeaseRow {
  name: string;
  /** The replica id of the holder (one per gateway process). */
  holder: string;
  /** Incremented on every takeover; fences the writes of older leaders. */
  epoch: number;
  /** When the lease lapses unless renewed (ms since the epoch, the database's clock). */
  expires_at: number;
  /** When it was last acquired or renewed (the database's clock). */
  renewed_at: number;
}

/** The whole database. */
export interface Database {
  gateway_meta: GatewayMetaRow;
  clusters: ClusterRow;
  workers: WorkerRow;
  grants: GrantRow;
  access_requests: AccessRequestRow;
  api_tokens: ApiTokenRow;
  user_quotas: UserQuotaRow;
  group_quotas: GroupQuotaRow;
  user_groups: UserGroupsRow;
  audit: AuditRow;
  usage: UsageRow;
  events: EventRow;
  pool_queue: PoolQueueRow;
  budget_grants: BudgetGrantRow;
  cluster_shares: ClusterShareRow;
  leader_lease: LeaderLeaseRow;
}
