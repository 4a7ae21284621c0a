/**
 * The backend a configuration names: Slurm (its pool read from the partition) or local
 * processes (with the network isolation and the uid isolation plan chosen here).
 * @module
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Backend, ProcessExit } from '../backends/backend.js';
import { UNPRIVILEGED } from '../backends/local/environment-access.js';
import type { ClusterFirewall } from '../backends/local/isolation.js';
import { planIsolation, type IsolationPlan } from '../backends/local/isolation-plan.js';
import { createLocalBackend } from '../backends/local/local-backend.js';
import {
  chooseNetworkIsolation,
  type NetworkIsolation,
} from '../backends/local/network-isolation.js';
import { createSlurmBackend } from '../backends/slurm/slurm-backend.js';
import { createSlurmCli } from '../backends/slurm/slurm-cli.js';
import { poolFromNodes } from '../backends/slurm/slurm-pool.js';
import type { Clock } from '../clock.js';
import type { GatewayConfig } from '../config/load.js';

/** What the backend is built with besides the configuration. */
export interface BackendParts {
  readonly log: Logger;
  readonly clock: Clock;
  readonly instanceId: string;
  /** The process environment passed on to schedulers and workers. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** A firewall given by the embedder, used when none is chosen here. */
  readonly firewall?: ClusterFirewall;
  /** Told about every scheduler or worker process that exits. */
  readonly onExit: (exit: ProcessExit) => void;
}

/** The chosen backend with what was decided along the way. */
export interface BackendChoice {
  readonly backend: Backend;
  /** The worker pool (read from Slurm's partition, or the configured one). */
  readonly pool: GatewayConfig['pool'];
  readonly network: NetworkIsolation;
  /** The local backend's isolation plan; null for Slurm. */
  readonly isolation: IsolationPlan | null;
  /** What an unprivileged uid can read, when clusters run under their own uids; else null. */
  readonly environmentAccess: typeof UNPRIVILEGED | null;
}

/** Reads a system file, '' when it is missing. */
function readSystemFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** The Slurm backend, its pool read from the partition's nodes. */
async function slurmBackend(
  config: GatewayConfig,
  backendConfig: Extract<GatewayConfig['backend'], { type: 'slurm' }>,
  parts: BackendParts
): Promise<BackendChoice> {
  const cli = createSlurmCli();
  const partition = backendConfig.partition;
  const nodes = await cli.sinfo(partition);
  if (nodes.length === 0) {
    throw new Error(`sinfo lists no nodes in the Slurm partition ${partition ?? '(default)'}`);
  }
  const pool = { ...config.pool, machine_types: poolFromNodes(partition ?? 'slurm', nodes) };
  parts.log.info({ machine_types: pool.machine_types }, 'pool read from the Slurm partition');
  const backend = createSlurmBackend({
    config: backendConfig,
    profiles: config.profiles,
    cli,
    clock: parts.clock,
    gatewayEnv: parts.env,
    log: parts.log.child({ module: 'backend.slurm' }),
    onExit: parts.onExit,
    isRoot: process.getuid?.() === 0,
    instanceId: parts.instanceId,
    logs: config.logs,
  });
  const network = { firewall: null, warning: null };
  return { backend, pool, network, isolation: null, environmentAccess: null };
}

/** Logs whether local clusters are isolated from each other. */
function logIsolation(log: Logger, plan: IsolationPlan, uids: unknown): void {
  if (plan.mode === 'none') {
    log.warn(
      "clusters are NOT isolated: every scheduler and worker runs as the gateway user and can read the others' files and the gateway's (backend.isolation: none, or the gateway does not run as root); see docs/security.md"
    );
  } else {
    log.info(
      { uids, clusters_directory: plan.clustersDirectory },
      'clusters are isolated: each runs under its own uid and loopback address'
    );
  }
}

/** The local process backend, with its network isolation and uid plan. */
async function localBackend(
  config: GatewayConfig,
  backendConfig: Extract<GatewayConfig['backend'], { type: 'local' }>,
  parts: BackendParts
): Promise<BackendChoice> {
  const { log } = parts;
  const network = await chooseNetworkIsolation({
    setting: backendConfig.network_isolation,
    instanceId: parts.instanceId,
    log: log.child({ module: 'backend.network' }),
    deleteOnClose: config.stopClustersOnShutdown,
  });
  if (network.warning !== null) {
    log.warn(`cluster ports are open to every local user: ${network.warning}`);
  }
  const firewall = network.firewall ?? parts.firewall;
  const isolation = planIsolation(backendConfig, {
    isRoot: process.getuid?.() === 0,
    readText: readSystemFile,
    ...(firewall === undefined ? {} : { firewall }),
    ...(path.isAbsolute(config.source) ? { configFile: config.source } : {}),
  });
  logIsolation(log, isolation, backendConfig.isolation_uids);
  const backend = createLocalBackend({
    config: { ...backendConfig, clustersDirectory: isolation.clustersDirectory },
    ...(isolation.isolation === undefined ? {} : { isolation: isolation.isolation }),
    gatewayEnv: parts.env,
    instanceId: parts.instanceId,
    log: log.child({ module: 'backend.local' }),
    onExit: parts.onExit,
    logs: config.logs,
  });
  // Isolated clusters cannot use what an unprivileged uid cannot read: environments are checked as one.
  const environmentAccess = isolation.mode === 'uid' ? UNPRIVILEGED : null;
  return { backend, pool: config.pool, network, isolation, environmentAccess };
}

/** Builds the backend `config.backend` names. */
export function chooseBackend(config: GatewayConfig, parts: BackendParts): Promise<BackendChoice> {
  const b = config.backend;
  return b.type === 'slurm' ? slurmBackend(config, b, parts) : localBackend(config, b, parts);
}
