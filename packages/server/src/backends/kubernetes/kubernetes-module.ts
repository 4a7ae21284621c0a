/**
 * The Kubernetes backend as a registered module: its config section, the API client (the
 * kubeconfig or the in-cluster account), the informers, listed before the gateway serves, and
 * the backend's construction.
 * @module
 */
import { defineBackend } from '../backend-module.js';
import { KubeClient, loadKubeConfig } from './kube-client.js';
import { KubernetesBackend } from './kubernetes-backend.js';
import { KubernetesBackendConfig, resolveKubernetesConfig } from './kubernetes-config.js';
import { startKubernetesPool, type KubernetesPool } from './kubernetes-pool.js';
import { PodLogs } from './pod-logs.js';
import { PodTracker } from './pod-tracker.js';

/** `backend.type: kubernetes`: schedulers and workers as pods owned by a DaskCluster. */
export const kubernetesBackendModule = defineBackend({
  type: 'kubernetes',
  configSchema: KubernetesBackendConfig,
  resolveConfig: resolveKubernetesConfig,
  async create(cfg, pool, ctx) {
    const log = ctx.log.child({ module: 'backend.kubernetes' });
    const client = new KubeClient(loadKubeConfig(cfg.kubeconfig), cfg.namespace);
    const logs = new PodLogs(cfg.logsDirectory, ctx.gateway.logs, client, log);
    const tracker = new PodTracker({
      client,
      instance: cfg.instance,
      watchTimeout: cfg.watch_timeout,
      log,
      clock: ctx.clock,
      notify: ctx.notify,
      logs,
    });
    await tracker.start();
    const nodePool: KubernetesPool | null =
      cfg.node_pool === null
        ? null
        : await startKubernetesPool({
            listNodes: async (labelSelector) =>
              (await client.core.listNode(labelSelector === undefined ? {} : { labelSelector }))
                .items,
            nodePool: cfg.node_pool,
            workerRequests: cfg.worker_requests,
            gateway: ctx.gateway,
            log,
          });
    log.info({ namespace: cfg.namespace, instance: cfg.instance }, 'watching the Kubernetes API');
    const environmentImages = new Map(
      ctx.gateway.environments.list.flatMap((e) =>
        e.image === undefined ? [] : [[e.prefix, e.image] as const]
      )
    );
    const backend = new KubernetesBackend({
      config: { ...cfg, environmentImages },
      client,
      tracker,
      logs,
      profiles: ctx.gateway.profiles,
      log,
      ...(nodePool === null ? {} : { onClose: nodePool.stop }),
    });
    const network = { firewall: null, warning: null };
    const fromNodes =
      nodePool === null
        ? { pool }
        : {
            pool: nodePool.pool,
            footprint: nodePool.footprint,
            onPoolChange: nodePool.onPoolChange,
          };
    return { backend, ...fromNodes, network, isolation: null, environmentAccess: null };
  },
});
