/**
 * The Kubernetes backend's pool in one call, for its module: read the nodes once (a failure
 * stops the start, naming the key), log what was counted, pack workers by their pod requests,
 * and keep the pool current with a refresher whose changes reach the gateway through
 * `BackendChoice.onPoolChange`.
 * @module
 */
import type { Logger } from 'pino';
import type { PoolConfig } from '../../config/schema.js';
import {
  configuredFootprint,
  footprintByProfile,
  type WorkerFootprint,
} from '../../pool/footprint.js';
import type { NodePoolConfig } from './node-pool-config.js';
import {
  labelSelectorOf,
  profileRequests,
  readNodePool,
  type NodeLike,
  type NodePoolReading,
  type ProfileRequestsLike,
} from './node-pool.js';
import { createNodePoolRefresher, NODE_POOL_REFRESH_MS } from './node-pool-refresh.js';
import { cpuCores, memoryBytes } from './quantity.js';

/** Requests of pods whose profile names none (the backend's `worker_requests`), or null. */
export type DefaultRequests = Readonly<Record<string, string | number>> | null;

/** What the Kubernetes pool is built from. */
export interface KubernetesPoolInput {
  /** Lists nodes with a label selector (`CoreV1Api.listNode({labelSelector})` → `.items`). */
  readonly listNodes: (labelSelector: string | undefined) => Promise<readonly NodeLike[]>;
  /** The backend's `node_pool:` key. */
  readonly nodePool: NodePoolConfig;
  /** The backend's `worker_requests` (requests of workers whose profile sets none). */
  readonly workerRequests: DefaultRequests;
  /** The gateway's `pool:` section and profiles. */
  readonly gateway: {
    readonly pool: PoolConfig;
    readonly profiles: readonly ProfileRequestsLike[];
  };
  readonly log: Logger;
  /** How often the pool is re-read; default a minute. */
  readonly refreshMs?: number;
}

/** The pool parts the module returns in its `BackendChoice`, and the refresher's stop. */
export interface KubernetesPool {
  readonly pool: PoolConfig;
  readonly footprint: WorkerFootprint;
  readonly onPoolChange: (listener: (pool: PoolConfig) => void) => void;
  /** Re-reads now (e.g. on a node informer's event); true when the pool changed. */
  readonly refresh: () => Promise<boolean>;
  /** Stops the periodic re-read (call it when the backend closes). */
  readonly stop: () => void;
}

/** The footprint of workers whose profile sets no requests: `worker_requests`, else the limits. */
function defaultFootprint(requests: DefaultRequests): WorkerFootprint {
  if (requests === null) return configuredFootprint;
  const { cpu, memory } = requests;
  const key = 'backend.worker_requests';
  const cores = cpu === undefined ? null : cpuCores(cpu, `${key}.cpu`);
  const bytes = memory === undefined ? null : memoryBytes(memory, `${key}.memory`);
  return (c) => ({
    cores: cores ?? c.config.worker_cores,
    memory: bytes ?? c.config.worker_memory,
  });
}

/** Logs what a reading counted, and its warnings. */
function logReading(log: Logger, r: NodePoolReading, what: string): void {
  const { present, cordoned, template } = r;
  log.info({ machine_types: r.pool.machine_types, present, cordoned, template }, what);
  for (const w of r.warnings) log.warn(w);
}

/**
 * Reads the pool from the nodes and starts keeping it current (see the module comment).
 *
 * @example In the module's `create` (with `node_pool: NodePoolConfig` in the backend's schema):
 * ```ts
 * const kp = await startKubernetesPool({
 *   listNodes: async (labelSelector) =>
 *     (await client.core.listNode(labelSelector === undefined ? {} : { labelSelector })).items,
 *   nodePool: cfg.node_pool,
 *   workerRequests: cfg.worker_requests,
 *   gateway: ctx.gateway,
 *   log,
 * });
 * // … and kp.stop() in the backend's close()
 * return { backend, pool: kp.pool, footprint: kp.footprint, onPoolChange: kp.onPoolChange, … };
 * ```
 */
export async function startKubernetesPool(input: KubernetesPoolInput): Promise<KubernetesPool> {
  const requests = profileRequests(input.gateway.profiles);
  const selector = labelSelectorOf(input.nodePool.node_selector);
  const read = () =>
    readNodePool(() => input.listNodes(selector), input.nodePool, requests, input.gateway.pool);
  const first = await read();
  logReading(input.log, first, 'pool read from the Kubernetes nodes');
  let listener: ((pool: PoolConfig) => void) | null = null;
  const refresher = createNodePoolRefresher({
    read,
    initial: first.pool,
    onPool: (r) => {
      logReading(input.log, r, 'the Kubernetes nodes changed; pool re-read');
      listener?.(r.pool);
    },
    onError: (err) => {
      input.log.warn(
        { err },
        'could not re-read the pool from the Kubernetes nodes; keeping the last one'
      );
    },
  });
  refresher.start(input.refreshMs ?? NODE_POOL_REFRESH_MS);
  return {
    pool: first.pool,
    footprint: footprintByProfile(requests, defaultFootprint(input.workerRequests)),
    onPoolChange: (l) => {
      listener = l;
    },
    refresh: () => refresher.refresh(),
    stop: () => {
      refresher.stop();
    },
  };
}
