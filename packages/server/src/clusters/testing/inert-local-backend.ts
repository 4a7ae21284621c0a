/**
 * Config values for tests that need clusters but no Dask: the local backend, unisolated, with
 * `sleep` as scheduler and worker (the test sends heartbeats itself, if any) and short stop
 * timeouts, so starting and stopping such clusters costs next to nothing.
 * @module
 */

/** A scheduler or worker command that runs, does nothing and never reports in. */
export const INERT_COMMAND: readonly string[] = ['/bin/sh', '-c', 'exec sleep 300', 'sh'];

/** The `backend` and `cluster` config sections of an inert local cluster. */
export const INERT_LOCAL_BACKEND = {
  backend: {
    type: 'local',
    isolation: 'none',
    sigint_timeout: 1,
    sigterm_timeout: 1,
    sigkill_timeout: 2,
  },
  cluster: { scheduler_cmd: INERT_COMMAND, worker_cmd: INERT_COMMAND },
} as const;
