/**
 * The command lines of schedulers and workers, shared by every backend: the cluster's configured
 * command followed by the options Gatehouse needs (TLS, dashboard prefix, the gateway preload).
 * @module
 */
import type { ClusterRecord, WorkerRecord } from '../clusters/model.js';
import type { SchedulerLaunch } from './backend.js';

/** Renders a number as Python's str() would for the preload's float options. */
function pyFloat(n: number): string {
  return Number.isInteger(n) ? `${String(n)}.0` : String(n);
}

/** Fixed ports a scheduler listens on (a pod's); absent ports are picked by the system. */
export interface SchedulerPorts {
  readonly scheduler: number;
  readonly dashboard: number;
  readonly api: number;
}

const ANY_PORT: SchedulerPorts = { scheduler: 0, dashboard: 0, api: 0 };

/** The scheduler's argv; it listens (TLS, dashboard, gateway API) on `host`, at `ports`. */
export function schedulerArgv(
  c: ClusterRecord,
  launch: SchedulerLaunch,
  host: string,
  ports: SchedulerPorts = ANY_PORT
): string[] {
  return [
    ...c.config.scheduler_cmd,
    '--protocol',
    'tls',
    '--port',
    String(ports.scheduler),
    '--host',
    host,
    '--dashboard-address',
    `${host}:${String(ports.dashboard)}`,
    '--dashboard-prefix',
    launch.dashboardPrefix,
    '--preload',
    'dask_gateway.scheduler_preload',
    '--dg-api-address',
    `${host}:${String(ports.api)}`,
    '--dg-heartbeat-period',
    String(launch.heartbeatPeriod),
    '--dg-adaptive-period',
    pyFloat(c.config.adaptive_period),
    '--dg-idle-timeout',
    pyFloat(c.config.idle_timeout),
  ];
}

/**
 * A worker's argv, connecting to `c.schedulerAddress`; with `host` it also listens there (a
 * worker on another node must not advertise an address the scheduler cannot reach).
 */
export function workerArgv(
  c: ClusterRecord,
  w: Pick<WorkerRecord, 'name'>,
  host: string | null
): string[] {
  return [
    ...c.config.worker_cmd,
    c.schedulerAddress,
    ...(host === null ? [] : ['--host', host]),
    '--dashboard-address',
    `${host ?? '127.0.0.1'}:0`,
    '--name',
    w.name,
    '--nthreads',
    String(c.config.worker_threads),
    '--memory-limit',
    String(c.config.worker_memory),
  ];
}
