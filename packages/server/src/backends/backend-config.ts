/**
 * What every resolved `backend:` section has whatever its type, and where its relative paths
 * are resolved from: the leaf types the config loader and the backend modules share.
 * @module
 */
import type { LifecycleSettings } from '../config/sections/lifecycle.js';

/** What every resolved `backend:` section has, whatever its type. */
export interface ResolvedBackendConfig extends LifecycleSettings {
  readonly type: string;
  /** Prefix of the default Python environment schedulers and workers run from. */
  readonly pythonEnv: string;
  /** Where scheduler and worker output is kept. */
  readonly logsDirectory: string;
  /**
   * Whether schedulers and workers run elsewhere (in a container image) where an environment
   * may exist that the gateway's machine lacks: such an environment is offered unchecked.
   */
  readonly environmentsInImage?: boolean;
}

/** Where relative paths of a `backend:` section are resolved from. */
export interface BackendConfigPaths {
  /** Directory relative paths in the file are taken from. */
  readonly base: string;
  /** The resolved `data_dir`. */
  readonly dataDir: string;
  /** The Python environment when the section names none (environment variable or default). */
  readonly defaultPythonEnv: string;
}
