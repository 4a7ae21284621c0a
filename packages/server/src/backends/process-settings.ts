/**
 * Config keys and resolved settings shared by backends that start schedulers and workers from
 * a Python environment (local processes, Slurm jobs): the environment, directories, inherited
 * variables and stop timeouts, with paths resolved against the config file's directory.
 * @module
 */
import path from 'node:path';
import { Type } from 'typebox';
import { Seconds } from '../config/sections/primitives.js';
import type { BackendConfigPaths } from './backend-config.js';

/** Keys shared by backends that start processes from a Python environment. */
export const ProcessKeys = {
  python_env: Type.Union([Type.String(), Type.Null()], {
    default: null,
    description:
      'Prefix of the Python environment (venv or conda env) whose dask-scheduler and dask-worker run; null means the project environment set up by `npm start`.',
  }),
  clusters_directory: Type.Union([Type.String(), Type.Null()], {
    default: null,
    description:
      'Parent of per-cluster working directories; null means <data_dir>/clusters, or with isolated clusters /var/lib/gatehouse/clusters/<hash of data_dir> (cluster uids must be able to traverse every parent, which temporary and home directories often forbid).',
  }),
  logs_directory: Type.Union([Type.String(), Type.Null()], {
    default: null,
    description: 'Where scheduler and worker output is kept; null means <data_dir>/logs.',
  }),
  inherited_environment: Type.Array(Type.String(), {
    default: [
      'PATH',
      'PYTHONPATH',
      'CONDA_ROOT',
      'CONDA_DEFAULT_ENV',
      'VIRTUAL_ENV',
      'LANG',
      'LC_ALL',
    ],
    description: 'Gateway environment variables passed on to schedulers and workers.',
  }),
  sigint_timeout: Seconds(10, 'Seconds to wait after SIGINT before SIGTERM.'),
  sigterm_timeout: Seconds(5, 'Seconds to wait after SIGTERM before SIGKILL.'),
  sigkill_timeout: Seconds(5, 'Seconds to wait after SIGKILL before giving up.'),
};

/** Settings of backends that start processes, with every path made absolute. */
export interface ResolvedProcessSettings {
  readonly pythonEnv: string;
  readonly clustersDirectory: string;
  readonly logsDirectory: string;
  readonly inherited_environment: string[];
  readonly sigint_timeout: number;
  readonly sigterm_timeout: number;
  readonly sigkill_timeout: number;
}

/** Keys of a process backend's section that resolution replaces (by the resolved settings). */
export type ProcessPathKeys =
  'python_env' | 'clusters_directory' | 'logs_directory' | keyof ResolvedProcessSettings;

/** The path keys of a process backend's section, as written in the file. */
export interface ProcessPathSettings {
  readonly python_env: string | null;
  readonly clusters_directory: string | null;
  readonly logs_directory: string | null;
}

/** The environment and directories of `b`, made absolute. */
export function resolveProcessPaths(b: ProcessPathSettings, p: BackendConfigPaths) {
  return {
    pythonEnv: path.resolve(p.base, b.python_env ?? p.defaultPythonEnv),
    clustersDirectory: path.resolve(
      p.base,
      b.clusters_directory ?? path.join(p.dataDir, 'clusters')
    ),
    logsDirectory: path.resolve(p.base, b.logs_directory ?? path.join(p.dataDir, 'logs')),
  };
}
