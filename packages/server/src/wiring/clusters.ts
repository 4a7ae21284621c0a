/**
 * The cluster core: the backend, the pool and quota policy, the metrics and the cluster manager.
 *
 * The backend notifies the manager of changes, and the policy and metrics read the
 * manager's records, but the manager is built from the backend and the policy. That one loop is
 * closed by `ManagerLink`: an object that exists before all three, bound exactly once to the
 * manager, which delivers notices and records from then on (none happen before the manager starts).
 * @module
 */
import type { Logger } from 'pino';
import type { BackendChange } from '../backends/backend.js';
import type { ClusterFirewall } from '../backends/local/isolation.js';
import type { Clock } from '../clock.js';
import { createClusterManager, type ClusterManager } from '../clusters/manager.js';
import type { ClusterRecord } from '../clusters/model.js';
import type { GatewayConfig } from '../config/load.js';
import type { FaultPoints } from '../faults/fault-points.js';
import { createMetrics, type GatewayMetrics } from '../observability/metrics.js';
import { createClusterPolicy, type ClusterPolicy } from '../pool/cluster-policy.js';
import { parseStoredQuota } from '../pool/quota-body.js';
import type { ClientTracker } from '../proxy/client-tracker.js';
import { createClusterTls } from '../tls/certs.js';
import { chooseBackend, type BackendChoice } from './backend.js';
import type { BackendRegistry } from '../backends/registry.js';
import type { ExternalProxy } from './cluster-routes.js';
import type { ClusterRoutes } from '../clusters/manager.js';
import type { Stores } from './store.js';
import { createUsageAccounting } from './usage.js';
import { createBudgets } from './budgets.js';
import type { Budgets } from '../budget/budgets.js';

/** The manager, once built, for what must exist before it. */
export class ManagerLink {
  #manager: ClusterManager | null = null;
  /** Binds the manager; a second call is a wiring bug. */
  bind(manager: ClusterManager): void {
    if (this.#manager !== null) throw new Error('the cluster manager is bound already');
    this.#manager = manager;
  }
  /** Delivers a backend's notice of change to the manager. */
  readonly notify = (change: BackendChange): void => {
    this.#manager?.onBackendChange(change);
  };
  /** The manager's records (none before it is bound). */
  readonly clusters = (): Iterable<ClusterRecord> => this.#manager?.all() ?? [];
}

/** What the cluster core is built with besides the configuration. */
export interface ClusterCoreParts {
  /** The backend types; the one the config names is built. */
  readonly backends: BackendRegistry;
  readonly stores: Stores;
  readonly clock: Clock;
  readonly log: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly firewall?: ClusterFirewall;
  readonly faults: FaultPoints;
  readonly routes: ClusterRoutes;
  readonly proxy: ExternalProxy;
  /** Client connections of the in-process proxy (the external proxy counts its own). */
  readonly clientTracker: ClientTracker;
  /** The API URL schedulers and workers reach the gateway at (known once the port listens). */
  readonly apiUrl: () => string;
}

/** The built cluster core. */
export interface ClusterCore extends BackendChoice {
  readonly policy: ClusterPolicy;
  readonly metrics: GatewayMetrics;
  readonly manager: ClusterManager;
  /** Core-hour budgets (started on the leader). */
  readonly budgets: Budgets;
}

/** The policy with the quota overrides and user groups remembered in the access store. */
async function loadPolicy(
  config: GatewayConfig,
  choice: BackendChoice,
  link: ManagerLink,
  p: ClusterCoreParts
): Promise<ClusterPolicy> {
  const { accessStore, queueStore } = p.stores;
  const queue =
    config.pool.when_full === 'queue'
      ? {
          halfLifeMs: config.pool.fair_share_half_life * 1000,
          usage: (since: number) => accessStore.usageSince(since),
          ...(queueStore === undefined ? {} : { persist: queueStore.persist }),
        }
      : undefined;
  const policy = createClusterPolicy(
    {
      pool: choice.pool,
      quotas: config.quotas,
      ...(choice.footprint === undefined ? {} : { footprint: choice.footprint }),
      ...(queue === undefined ? {} : { queue }),
    },
    link.clusters,
    p.clock
  );
  if (queueStore !== undefined) policy.loadQueue(await queueStore.load());
  choice.onPoolChange?.((pool) => {
    policy.setMachines(pool);
  });
  for (const [username, q] of Object.entries(await accessStore.listUserQuotas())) {
    policy.setOverride(username, parseStoredQuota(q));
  }
  for (const [group, q] of Object.entries(await accessStore.listGroupQuotas())) {
    policy.setGroupOverride(group, parseStoredQuota(q));
  }
  for (const [name, groups] of Object.entries(await accessStore.listUserGroups())) {
    policy.observe({ name, groups });
  }
  return policy;
}

/** Builds the backend, the policy, the metrics and the manager. */
export async function createClusterCore(
  config: GatewayConfig,
  p: ClusterCoreParts
): Promise<ClusterCore> {
  const { stores, clock, log } = p;
  const link = new ManagerLink();
  const choice = await chooseBackend(p.backends, {
    gateway: config,
    log,
    clock,
    instanceId: stores.instanceId,
    env: p.env,
    notify: link.notify,
    ...(p.firewall === undefined ? {} : { firewall: p.firewall }),
  });
  const policy = await loadPolicy(config, choice, link, p);
  const metrics = createMetrics({
    clusters: link.clusters,
    pool: () => {
      const s = policy.state('', true);
      return { used: s.machines_in_use, free: s.machines_free };
    },
    backend: config.backend.type,
    now: () => clock.now(),
  });
  const manager = createManager(config, p, choice, policy, metrics);
  link.bind(manager);
  const budgets = createBudgets(config, { stores, policy, manager, clock, log });
  return { ...choice, policy, metrics, manager, budgets };
}

/** The cluster manager over the chosen backend. */
function createManager(
  config: GatewayConfig,
  p: ClusterCoreParts,
  { backend }: BackendChoice,
  policy: ClusterPolicy,
  metrics: GatewayMetrics
): ClusterManager {
  const { events, eventStore } = p.stores;
  return createClusterManager({
    store: p.stores.store,
    backend,
    routes: p.routes,
    clock: p.clock,
    log: p.log.child({ module: 'clusters' }),
    timing: config.timing,
    stopClustersOnShutdown: config.stopClustersOnShutdown,
    prefix: config.prefix,
    apiUrl: p.apiUrl,
    createTls: (name) => createClusterTls(name),
    policy,
    accounting: createUsageAccounting(p.stores.accessStore, p.clock, p.log),
    clients: p.proxy?.clients ?? p.clientTracker,
    observer: {
      clusterStarted: (seconds) => {
        metrics.clusterStarted(seconds);
      },
      heartbeat: (seconds) => {
        metrics.heartbeat(seconds);
      },
    },
    faults: p.faults,
    events,
    logs: config.logs,
    onCleanup: async (deleted, before) => {
      await events.flushed();
      await eventStore.deleteForClusters(deleted);
      await eventStore.deleteUnboundBefore(before);
      for (const name of deleted) backend.logs?.remove?.(name);
    },
  });
}
