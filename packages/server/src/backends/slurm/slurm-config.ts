/**
 * The Slurm backend's `backend:` section: its schema (process keys, partition and job
 * settings, staging, polling and the shared lifecycle keys) and its resolution.
 * @module
 */
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { LifecycleKeys } from '../../config/sections/lifecycle.js';
import { Seconds } from '../../config/sections/primitives.js';
import type { BackendConfigPaths } from '../backend-config.js';
import {
  ProcessKeys,
  resolveProcessPaths,
  type ProcessPathKeys,
  type ResolvedProcessSettings,
} from '../process-settings.js';

/** Settings of the Slurm backend (schedulers and workers as `sbatch` jobs). */
export const SlurmBackendConfig = Type.Object(
  {
    type: Type.Literal('slurm'),
    ...ProcessKeys,
    partition: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description:
        "Partition jobs go to (and whose nodes make the pool, read with sinfo); null means Slurm's default partition.",
    }),
    account: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
    qos: Type.Union([Type.String({ minLength: 1 }), Type.Null()], { default: null }),
    time_limit: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description: "sbatch --time of every job, e.g. '8:00:00'; null means the partition's.",
    }),
    extra_directives: Type.Array(Type.String({ pattern: '^--' }), {
      default: [],
      description: "More sbatch options for every job, each one '--name=value'.",
    }),
    scheduler_placement: Type.Union([Type.Literal('slurm'), Type.Literal('local')], {
      default: 'slurm',
      description:
        "'slurm': the scheduler is a Slurm job too; 'local': the scheduler runs as a process on the gateway host and only workers go to Slurm.",
    }),
    staging_directory: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description:
        'Parent of per-cluster staging directories (TLS material, token) on a filesystem every node mounts; null means <data_dir>/staging.',
    }),
    node_host: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description:
        "Address schedulers and workers listen on inside their jobs; null means the node's hostname.",
    }),
    submit_as_user: Type.Boolean({
      default: false,
      description:
        "Submit each cluster's jobs as the requesting Unix user (runuser, no sudo); needs the gateway to run as root, else jobs run as the gateway's account.",
    }),
    queue_timeout: Seconds(
      600,
      'Seconds a job may wait in the Slurm queue (PENDING) before the gateway gives up on it.'
    ),
    poll_period: Type.Number({
      exclusiveMinimum: 0,
      default: 2,
      description: 'Seconds between job status polls (one squeue call for every job).',
    }),
    ...LifecycleKeys,
  },
  { additionalProperties: false }
);

/** Settings of the Slurm backend, as validated. */
export type SlurmBackendConfig = Static<typeof SlurmBackendConfig>;

/** The Slurm backend's settings with every path made absolute. */
export interface ResolvedSlurmBackend
  extends Omit<SlurmBackendConfig, ProcessPathKeys | 'staging_directory'>, ResolvedProcessSettings {
  /** Parent of per-cluster staging directories (shared filesystem). */
  readonly stagingDirectory: string;
}

/** Resolves a validated Slurm section. */
export function resolveSlurmConfig(
  b: SlurmBackendConfig,
  p: BackendConfigPaths
): ResolvedSlurmBackend {
  const {
    python_env: _p,
    clusters_directory: _c,
    logs_directory: _l,
    staging_directory,
    ...rest
  } = b;
  return {
    ...rest,
    ...resolveProcessPaths(b, p),
    stagingDirectory: path.resolve(p.base, staging_directory ?? path.join(p.dataDir, 'staging')),
  };
}
