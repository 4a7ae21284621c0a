/**
 * The reconciler's timing as the resolved configuration carries it (a leaf type).
 * @module
 */

/** Timing of the reconciler, with derived values filled in (all in seconds). */
export interface ResolvedTiming {
  readonly heartbeatPeriod: number;
  readonly heartbeatTimeout: number;
  readonly clusterStartTimeout: number;
  readonly workerStartTimeout: number;
  readonly checkTimeoutsPeriod: number;
  readonly clusterStatusPeriod: number;
  readonly workerStatusPeriod: number;
  readonly workerStartFailureLimit: number;
  readonly schedulerApiRetries: number;
  readonly parallelism: number;
  readonly dbCleanupPeriod: number;
  readonly clusterMaxAge: number;
  readonly orphanScanPeriod: number;
}
