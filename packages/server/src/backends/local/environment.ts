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

/** Inputs besides the cluster itself. */
export interface EnvironmentInputs {
  readonly role: 'scheduler' | 'worker';
  readonly workdir: string;
  readonly apiUrl: string;
  /** The gateway's own environment. */
  readonly gatewayEnv: Readonly<Record<string, string | undefined>>;
  readonly inherited: readonly string[];
  /** Directory holding the Python environment's executables, put first on PATH. */
  readonly binDir: string;
}

/** The full environment for one process. */
export function processEnvironment(c: ClusterRecord, i: EnvironmentInputs): Record<string, string> {
  const { cert, key } = certPaths(i.workdir);
  const env: Record<string, string> = { ...c.config.environment };
  env['DASK_GATEWAY_API_URL'] = i.apiUrl;
  env['DASK_GATEWAY_API_TOKEN'] = c.token;
  env['DASK_GATEWAY_CLUSTER_NAME'] = c.name;
  env['DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION'] = 'True';
  for (const name of i.inherited) {
    const v = i.gatewayEnv[name];
    if (v !== undefined) env[name] = v;
  }
  env['PATH'] = [i.binDir, env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin'].join(':');
  env['USER'] = c.username;
  env['DASK_DISTRIBUTED__COMM__TLS__CA_FILE'] = cert;
  const role = i.role === 'scheduler' ? 'SCHEDULER' : 'WORKER';
  env[`DASK_DISTRIBUTED__COMM__TLS__${role}__CERT`] = cert;
  env[`DASK_DISTRIBUTED__COMM__TLS__${role}__KEY`] = key;
  return env;
}
