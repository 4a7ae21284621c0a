/**
 * The local backend as a registered module: its config section, and its construction with the
 * network firewall and the uid isolation plan chosen for this host.
 * @module
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { defineBackend, type BackendContext, type BackendChoice } from '../backend-module.js';
import type { GatewayConfig } from '../../config/gateway-config.js';
import { UNPRIVILEGED } from './environment-access.js';
import { planIsolation, type IsolationPlan } from './isolation-plan.js';
import { createLocalBackend } from './local-backend.js';
import {
  LocalBackendConfig,
  resolveLocalConfig,
  type ResolvedLocalBackend,
} from './local-config.js';
import { chooseNetworkIsolation } from './network-isolation.js';

/** Reads a system file, '' when it is missing. */
function readSystemFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
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
async function createLocal(
  cfg: ResolvedLocalBackend,
  pool: GatewayConfig['pool'],
  ctx: BackendContext
): Promise<BackendChoice> {
  const { log, gateway } = ctx;
  const network = await chooseNetworkIsolation({
    setting: cfg.network_isolation,
    instanceId: ctx.instanceId,
    log: log.child({ module: 'backend.network' }),
    deleteOnClose: gateway.stopClustersOnShutdown,
  });
  if (network.warning !== null) {
    log.warn(`cluster ports are open to every local user: ${network.warning}`);
  }
  const firewall = network.firewall ?? ctx.firewall;
  const isolation = planIsolation(cfg, {
    isRoot: process.getuid?.() === 0,
    readText: readSystemFile,
    ...(firewall === undefined ? {} : { firewall }),
    ...(path.isAbsolute(gateway.source) ? { configFile: gateway.source } : {}),
  });
  logIsolation(log, isolation, cfg.isolation_uids);
  const backend = createLocalBackend({
    config: { ...cfg, clustersDirectory: isolation.clustersDirectory },
    ...(isolation.isolation === undefined ? {} : { isolation: isolation.isolation }),
    gatewayEnv: ctx.env,
    instanceId: ctx.instanceId,
    clock: ctx.clock,
    log: log.child({ module: 'backend.local' }),
    notify: ctx.notify,
    logs: gateway.logs,
  });
  // Isolated clusters cannot use what an unprivileged uid cannot read: environments are checked as one.
  const environmentAccess = isolation.mode === 'uid' ? UNPRIVILEGED : null;
  return { backend, pool, network, isolation, environmentAccess };
}

/** `backend.type: local`: schedulers and workers as processes of this machine. */
export const localBackendModule = defineBackend({
  type: 'local',
  configSchema: LocalBackendConfig,
  resolveConfig: resolveLocalConfig,
  create: createLocal,
});
