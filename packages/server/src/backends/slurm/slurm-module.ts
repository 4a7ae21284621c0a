/**
 * The Slurm backend as a registered module: its config section, the pool read from the
 * partition's nodes, and its construction.
 * @module
 */
import { defineBackend, type BackendContext } from '../backend-module.js';
import type { GatewayConfig } from '../../config/gateway-config.js';
import { createSlurmBackend } from './slurm-backend.js';
import { createSlurmCli, type SlurmCli } from './slurm-cli.js';
import {
  SlurmBackendConfig,
  resolveSlurmConfig,
  type ResolvedSlurmBackend,
} from './slurm-config.js';
import { poolFromNodes } from './slurm-pool.js';

/** The pool: the configured one with its machine types read from the partition (`sinfo`). */
async function discoverSlurmPool(
  cfg: ResolvedSlurmBackend,
  ctx: BackendContext,
  cli: SlurmCli = createSlurmCli()
): Promise<GatewayConfig['pool']> {
  const partition = cfg.partition;
  const nodes = await cli.sinfo(partition);
  if (nodes.length === 0) {
    throw new Error(`sinfo lists no nodes in the Slurm partition ${partition ?? '(default)'}`);
  }
  const pool = { ...ctx.gateway.pool, machine_types: poolFromNodes(partition ?? 'slurm', nodes) };
  ctx.log.info({ machine_types: pool.machine_types }, 'pool read from the Slurm partition');
  return pool;
}

/** `backend.type: slurm`: schedulers and workers as `sbatch` jobs. */
export const slurmBackendModule = defineBackend({
  type: 'slurm',
  configSchema: SlurmBackendConfig,
  resolveConfig: resolveSlurmConfig,
  discoverPool: (cfg, ctx) => discoverSlurmPool(cfg, ctx),
  create(cfg, pool, ctx) {
    const backend = createSlurmBackend({
      config: cfg,
      profiles: ctx.gateway.profiles,
      cli: createSlurmCli(),
      clock: ctx.clock,
      gatewayEnv: ctx.env,
      log: ctx.log.child({ module: 'backend.slurm' }),
      notify: ctx.notify,
      isRoot: process.getuid?.() === 0,
      instanceId: ctx.instanceId,
      logs: ctx.gateway.logs,
    });
    const network = { firewall: null, warning: null };
    return Promise.resolve({ backend, pool, network, isolation: null, environmentAccess: null });
  },
});
