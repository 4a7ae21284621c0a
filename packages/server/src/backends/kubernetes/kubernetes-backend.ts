/**
 * The Kubernetes backend, of the delegating shape: one `DaskCluster` per cluster owns its
 * credentials Secret, its scheduler pod and its worker pods (owner references, so deleting the
 * DaskCluster garbage-collects the rest). The backend keeps each cluster's worker pods at the
 * count the reconciler tells (`setWorkerCount`), and answers every question from informer
 * caches (`pod-tracker.ts`). Pods reach the gateway API at `api_url`; the scheduler reports
 * its pod IP addresses in its heartbeat, which the proxy routes to.
 * @module
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type {
  DelegatingBackend,
  Observation,
  OwnedItem,
  SchedulerLaunch,
  WorkerSetObservation,
} from '../backend.js';
import type { BackendState, ClusterRecord, WorkerRecord } from '../../clusters/model.js';
import type { ProfileConfig } from '../../config/schema.js';
import { isRejection, type KubeClient } from './kube-client.js';
import type { ResolvedKubernetesBackend } from './kubernetes-config.js';
import { decodeKubernetesState, encodeKubernetesState } from './kubernetes-state.js';
import { LABEL, clusterId, objectNames, wireName } from './names.js';
import { clusterNetworkPolicy } from './network-policy.js';
import type { PodLogs } from './pod-logs.js';
import {
  credentialsSecret,
  daskClusterObject,
  schedulerPod,
  workerPod,
  type PodPlacement,
  type PodSettings,
} from './pod-spec.js';
import { podObservation } from './pod-status.js';
import type { PodTracker } from './pod-tracker.js';

/** What the Kubernetes backend is built from. */
export interface KubernetesBackendDeps {
  readonly config: ResolvedKubernetesBackend & PodSettings;
  readonly client: KubeClient;
  readonly tracker: PodTracker;
  readonly logs: PodLogs;
  /** Profiles, for their `kubernetes` placement (matched by the cluster's `profile` option). */
  readonly profiles: readonly ProfileConfig[];
  readonly log: Logger;
  /** Stops what else the module started for the backend (the pool's refresher). */
  readonly onClose?: () => void;
}

/** The profile's `kubernetes` section, read as pod placement (absent: requests = limits). */
function placementOf(profile: ProfileConfig | undefined): PodPlacement {
  const k8s: unknown = profile === undefined ? undefined : Reflect.get(profile, 'kubernetes');
  return typeof k8s === 'object' && k8s !== null ? k8s : {};
}

/** The Kubernetes backend; see the module comment. */
export class KubernetesBackend implements DelegatingBackend {
  readonly kind = 'kubernetes';
  readonly shape = 'delegating' as const;
  readonly queueTimeout: number;
  readonly logs: PodLogs;
  readonly #d: KubernetesBackendDeps;
  readonly #acknowledged = new Map<string, number>();

  constructor(d: KubernetesBackendDeps) {
    this.#d = d;
    this.logs = d.logs;
    this.queueTimeout = d.config.start_timeout;
  }

  /** The cluster name on the wire for id `id`: `<namespace>.<id>`, as upstream. */
  clusterName(id: string): string {
    return wireName(this.#d.config.namespace, id);
  }

  /**
   * The scheduler pod's IP, which every address of its heartbeat must name. While the cache
   * shows no IP for it, '' (no address matches: the heartbeat is refused, the next one is taken).
   */
  schedulerHost(c: ClusterRecord): string {
    return this.#d.tracker.podIp(objectNames(clusterId(c.name)).scheduler) ?? '';
  }

  #apiUrl(launchUrl: string): string {
    return this.#d.config.api_url ?? launchUrl;
  }

  /** The DaskCluster's uid: from the cache, else from the scheduler's recorded state. */
  #owner(c: ClusterRecord): string {
    const uid = this.#d.tracker.clusterUid(clusterId(c.name)) ?? decodeKubernetesState(c.state).uid;
    if (uid === undefined) throw new Error(`the DaskCluster of ${c.name} is gone`);
    return uid;
  }

  async startCluster(c: ClusterRecord, launch: SchedulerLaunch): Promise<BackendState> {
    const { client, config: cfg, tracker } = this.#d;
    const id = clusterId(c.name);
    const uid = await client.createCluster(daskClusterObject(c, cfg), id);
    await client.createSecret(credentialsSecret(c, cfg, uid));
    if (cfg.network_policy.enabled) {
      const peers = { ...cfg, gatewayPeers: cfg.network_policy.gateway_peers };
      await client.createNetworkPolicy(clusterNetworkPolicy(id, peers, uid));
    }
    const pod = schedulerPod(c, cfg, launch, this.#apiUrl(launch.apiUrl), uid);
    await client.createPod(pod);
    const name = objectNames(id).scheduler;
    tracker.created(c.name, name);
    return encodeKubernetesState({ uid, pod: name });
  }

  async stopCluster(c: ClusterRecord): Promise<void> {
    const { client, tracker, logs } = this.#d;
    const id = clusterId(c.name);
    // The logs of pods still running are copied now (ended ones were copied as they ended).
    const scheduler = objectNames(id).scheduler;
    const live = [null, ...tracker.workerPods(c.name).map((p) => p.metadata?.name ?? '')].filter(
      (w) => !tracker.isKept(w ?? scheduler)
    );
    await Promise.all(live.map((w) => logs.capture(c.name, w, null)));
    await tracker.status.set(id, 'Closing');
    await client.deleteCluster(id);
    tracker.forgetCluster(c.name, id);
    this.#acknowledged.delete(c.name);
  }

  startWorker(): Promise<BackendState> {
    return Promise.reject(new Error('the kubernetes backend starts workers by count'));
  }

  stopWorker(): Promise<void> {
    return Promise.reject(new Error('the kubernetes backend stops workers by count'));
  }

  observe(c: ClusterRecord, w: WorkerRecord | null): Observation {
    const pod = w?.name ?? objectNames(clusterId(c.name)).scheduler;
    return this.#d.tracker.observe(c.name, pod);
  }

  observeWorkers(c: ClusterRecord): WorkerSetObservation {
    return {
      acknowledged: this.#acknowledged.get(c.name) ?? null,
      workers: this.#d.tracker.observeWorkers(c.name),
    };
  }

  async setWorkerCount(
    c: ClusterRecord,
    n: number,
    opts: { readonly retire?: readonly string[] } = {}
  ): Promise<void> {
    const { client, tracker, config: cfg } = this.#d;
    const retire = new Set(opts.retire ?? []);
    const doomed: string[] = [];
    const live: V1Pod[] = [];
    for (const p of tracker.workerPods(c.name)) {
      const name = p.metadata?.name ?? '';
      if (p.metadata?.deletionTimestamp !== undefined) continue;
      if (retire.has(name) || tracker.hasEnded(p)) doomed.push(name);
      else live.push(p);
    }
    const creating = tracker.creatingFor(c.name).filter((p) => !retire.has(p));
    let count = live.length + creating.length;
    // Too many: the ones still waiting go first, then the newest.
    const now = Date.now();
    const byPreference = [...live].sort((a, b) => {
      const qa = podObservation(a, now).phase === 'queued' ? 0 : 1;
      const qb = podObservation(b, now).phase === 'queued' ? 0 : 1;
      const ta = new Date(a.metadata?.creationTimestamp ?? 0).getTime();
      const tb = new Date(b.metadata?.creationTimestamp ?? 0).getTime();
      return qa - qb || tb - ta;
    });
    for (const p of byPreference) {
      if (count <= n) break;
      doomed.push(p.metadata?.name ?? '');
      count--;
    }
    await Promise.all(doomed.map((name) => client.deletePod(name)));
    tracker.forget(c.name, doomed);
    if (count < n) {
      const uid = this.#owner(c);
      const profile = this.#d.profiles.find((x) => x.name === c.options['profile']);
      const body = workerPod(c, cfg, this.#apiUrl(''), uid, placementOf(profile));
      const made = await Promise.all(
        Array.from({ length: n - count }, () =>
          client.createPod(body).catch((err: unknown) => {
            // The API refuses the spec itself: the same spec is refused every time.
            if (!isRejection(err)) throw err;
            tracker.rejected(c.name, `rejected by the API: ${err.message}`);
            return undefined;
          })
        )
      );
      for (const m of made)
        if (m?.metadata?.name !== undefined) tracker.created(c.name, m.metadata.name);
    }
    this.#acknowledged.set(c.name, n);
  }

  /** Stops the watches. */
  close(): Promise<void> {
    this.#d.onClose?.();
    return this.#d.tracker.stop();
  }

  /** Every DaskCluster this instance owns (its pods and secret go with it). */
  listOwned(): Promise<readonly OwnedItem[]> {
    const ns = this.#d.config.namespace;
    const items = this.#d.tracker.clusters.list().map((o): OwnedItem => {
      const id = o.metadata?.labels?.[LABEL.cluster] ?? o.metadata?.name ?? '';
      return {
        clusterName: wireName(ns, id),
        workerName: null,
        key: `daskcluster/${o.metadata?.uid ?? id}`,
        details: { daskcluster: o.metadata?.name, namespace: ns },
      };
    });
    return Promise.resolve(items);
  }

  claims(item: OwnedItem, state: BackendState): boolean {
    const uid = decodeKubernetesState(state).uid;
    return uid !== undefined && item.key === `daskcluster/${uid}`;
  }

  async deleteOwned(item: OwnedItem): Promise<boolean> {
    this.#d.log.warn({ cluster: item.clusterName }, 'deleting an orphaned DaskCluster');
    await this.#d.client.deleteCluster(clusterId(item.clusterName));
    return true;
  }
}
