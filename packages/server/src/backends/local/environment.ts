/**
 * Builds the environment of schedulers and workers (spec §5.2): the cluster's configured
 * variables, then the gateway's required ones, then inherited ones, then role-specific TLS.
 * @module
 */
import path from 'node:path';
import type { ClusterRecord } from '../../clusters/model.js';

/** Where a cluster's certificate files live inside its working directory. */
export function certPaths(workdir: string): { cert: string; key: string; dir: string } {
  const dir = path.join(workdir, '.certs');
  return { dir, cert: path.join(dir, 'dask.crt'), key: path.join(dir, 'dask.pem') };
}

/** Names the gateway's marker, so a restarted gateway finds its processes (see process-scan). */
export const INSTANCE_VAR = 'DASK_GATEWAY_INSTANCE';
/** Names the cluster a process belongs to. */
export const CLUSTER_VAR = 'DASK_GATEWAY_CLUSTER_NAME';
/** Names the worker a process is (absent for schedulers). */
export const WORKER_VAR = 'DASK_GATEWAY_WORKER_NAME';

/** Inputs besides the cluster itself. */
export interface EnvironmentInputs {
  /** 'scheduler', or the worker's name. */
  readonly role: 'scheduler' | { readonly worker: string };
  /** The gateway's instance id. */
  readonly instanceId: string;
  readonly workdir: string;
  readonly apiUrl: string;
  /** The gateway's own environment. */
  readonly gatewayEnv: Readonly<Record<string, string | undefined>>;
  readonly inherited: readonly string[];
  /** Directory holding the Python environment's executables, put first on PATH. */
  readonly binDir: string;
  /** The file holding the cluster's API token; absent puts the token itself in the environment. */
  readonly tokenFile?: string;
  /** HOME, and TMPDIR with dask's temporary directory, inside the cluster's own directory. */
  readonly home?: { readonly home: string; readonly tmp: string };
}

/** The full environment for one process. */
export function processEnvironment(c: ClusterRecord, i: EnvironmentInputs): Record<string, string> {
  const { cert, key } = certPaths(i.workdir);
  const env: Record<string, string> = { ...c.config.environment };
  env['DASK_GATEWAY_API_URL'] = i.apiUrl;
  env['DASK_GATEWAY_API_TOKEN'] = i.tokenFile ?? c.token;
  env[CLUSTER_VAR] = c.name;
  env[INSTANCE_VAR] = i.instanceId;
  if (i.role !== 'scheduler') env[WORKER_VAR] = i.role.worker;
  env['DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION'] = 'True';
  for (const name of i.inherited) {
    const v = i.gatewayEnv[name];
    if (v !== undefined) env[name] = v;
  }
  env['PATH'] = [i.binDir, env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin'].join(':');
  env['USER'] = c.username;
  // getpass.getuser() reads LOGNAME first: it must not need a passwd entry for the uid.
  env['LOGNAME'] = c.username;
  if (i.home !== undefined) {
    env['HOME'] = i.home.home;
    env['TMPDIR'] = i.home.tmp;
    env['DASK_TEMPORARY_DIRECTORY'] = i.home.tmp;
  }
  env['DASK_DISTRIBUTED__COMM__TLS__CA_FILE'] = cert;
  const role = i.role === 'scheduler' ? 'SCHEDULER' : 'WORKER';
  env[`DASK_DISTRIBUTED__COMM__TLS__${role}__CERT`] = cert;
  env[`DASK_DISTRIBUTED__COMM__TLS__${role}__KEY`] = key;
  return env;
}
