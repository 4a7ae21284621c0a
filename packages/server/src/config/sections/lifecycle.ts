/**
 * The reconciler's timing, retention and concurrency keys, which every `backend:` section
 * carries whatever its type (each backend module spreads them into its schema).
 * @module
 */
import { Type, type Static } from 'typebox';
import { NullableSeconds, Seconds } from './primitives.js';

/** Timing, retention and concurrency of the cluster reconciler (upstream DBBackendBase). */
export const LifecycleKeys = {
  heartbeat_period: Type.Number({
    exclusiveMinimum: 0,
    default: 15,
    description: 'Seconds between scheduler heartbeats (passed to the preload).',
  }),
  heartbeat_timeout: NullableSeconds(
    'A RUNNING cluster without a heartbeat for this long fails; null means 2 x heartbeat_period.'
  ),
  cluster_start_timeout: Seconds(60, 'Seconds a scheduler may take to report its addresses.'),
  worker_start_timeout: Seconds(60, 'Seconds a worker may take to connect to its scheduler.'),
  check_timeouts_period: NullableSeconds(
    'Period of the timeout sweep; null means min(20, smallest timeout / 2).'
  ),
  cluster_status_period: Seconds(
    30,
    'Period of the scheduler liveness check and of the resync that re-reconciles every unfinished cluster.'
  ),
  worker_status_period: Seconds(30, 'Period of the pending-worker liveness check.'),
  worker_start_failure_limit: Type.Integer({
    minimum: 1,
    default: 3,
    description: 'Consecutive worker start failures after which the cluster fails.',
  }),
  scheduler_api_retries: Type.Integer({
    minimum: 1,
    default: 3,
    description: 'Attempts to deliver a scale or adapt command to a scheduler.',
  }),
  parallelism: Type.Integer({
    minimum: 1,
    default: 20,
    description: 'Clusters and workers reconciled concurrently.',
  }),
  orphan_scan_period: Seconds(
    60,
    'Period of the scan for scheduler and worker processes of this gateway that no record claims (they are killed); 0 scans only at start-up.'
  ),
  db_cleanup_period: Seconds(600, 'Period of the finished-cluster cleanup.'),
  cluster_max_age: Seconds(86400, 'Seconds finished clusters stay listable before deletion.'),
};

/** The lifecycle keys as one object schema (each backend module spreads the keys instead). */
export const LifecycleSchema = Type.Object(LifecycleKeys);
/** The lifecycle keys of a validated `backend:` section. */
export type LifecycleSettings = Static<typeof LifecycleSchema>;
