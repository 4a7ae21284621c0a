/**
 * What the Kubernetes backend knows of its pods and DaskClusters, answered from informer caches
 * (never an API call per question): the pods of a cluster, each one's observation, pods just
 * created that the watch has not shown yet, and pods that are gone with why. A pod that ends
 * (or is being deleted) has its log copied first, then the reconciler is notified, so the
 * failure it records carries the pod's last output.
 * @module
 */
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { BackendNotify, Observation, ObservedWorker } from '../backend.js';
import type { KubeClient } from './kube-client.js';
import { CRD, LABEL, clusterId, instanceSelector, objectNames, wireName } from './names.js';
import type { PodLogs } from './pod-logs.js';
import { ClusterStatusWriter, schedulerPhase } from './cluster-status.js';
import { endReason, podObservation } from './pod-status.js';
import { WatchedSet } from './watched-set.js';

/** What the tracker is built from. */
export interface PodTrackerDeps {
  readonly client: KubeClient;
  readonly instance: string;
  readonly watchTimeout: number;
  readonly log: Logger;
  readonly clock: Clock;
  readonly notify: BackendNotify;
  readonly logs: PodLogs;
}

/** How long the first list may take before the gateway gives up starting, ms. */
const FIRST_LIST_MS = 60_000;

/** The informer caches and what they say; see the module comment. */
export class PodTracker {
  readonly #d: PodTrackerDeps;
  readonly #ns: string;
  readonly pods: WatchedSet<V1Pod>;
  readonly clusters: WatchedSet<KubernetesObject>;
  /** The DaskClusters' status, following their scheduler pods. */
  readonly status: ClusterStatusWriter;
  /** Pods created and not yet in the cache: name → cluster, since. */
  readonly #creating = new Map<string, { cluster: string; since: number }>();
  /** How each ended pod ended, once its log was copied. */
  readonly #ended = new Map<string, string>();
  readonly #capturing = new Set<string>();
  /** Pods seen running (their log file was started). */
  readonly #running = new Set<string>();
  /** Pods deleted from the API, by cluster: name → how. */
  readonly #gone = new Map<string, Map<string, string>>();
  /** Worker pods the API refused to create: made-up name → cluster, why, whether reported. */
  readonly #rejected = new Map<string, { cluster: string; how: string; reported: boolean }>();
  #refusals = 0;

  constructor(d: PodTrackerDeps) {
    this.#d = d;
    const { client } = d;
    this.#ns = client.namespace;
    this.status = new ClusterStatusWriter(client, d.log);
    const labelSelector = instanceSelector(d.instance);
    const common = { kc: client.kc, labelSelector, log: d.log, watchTimeout: d.watchTimeout };
    this.pods = new WatchedSet<V1Pod>({
      ...common,
      path: `/api/v1/namespaces/${this.#ns}/pods`,
      list: () => client.core.listNamespacedPod({ namespace: this.#ns, labelSelector }),
      onChange: (pod, deleted) => {
        this.#onPod(pod, deleted);
      },
    });
    this.clusters = new WatchedSet<KubernetesObject>({
      ...common,
      path: `/apis/${CRD.group}/${CRD.version}/namespaces/${this.#ns}/${CRD.plural}`,
      list: () => client.listClusters(labelSelector),
      onChange: () => undefined,
    });
  }

  /** Lists both collections and starts watching them. */
  async start(): Promise<void> {
    await Promise.all([this.pods.start(FIRST_LIST_MS), this.clusters.start(FIRST_LIST_MS)]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.pods.stop(), this.clusters.stop()]);
  }

  /** The cluster (wire name) and worker (null for a scheduler) a pod belongs to. */
  #owner(pod: V1Pod): { cluster: string; worker: string | null } | null {
    const labels = pod.metadata?.labels ?? {};
    const id = labels[LABEL.cluster];
    const name = pod.metadata?.name;
    if (id === undefined || name === undefined) return null;
    const worker = labels[LABEL.component] === 'dask-worker' ? name : null;
    return { cluster: wireName(this.#ns, id), worker };
  }

  #onPod(pod: V1Pod, deleted: boolean): void {
    const owner = this.#owner(pod);
    const name = pod.metadata?.name ?? '';
    if (owner === null) return;
    this.#creating.delete(name);
    if (deleted) this.#running.delete(name);
    const change = { clusterName: owner.cluster, workerName: owner.worker };
    const how = deleted ? (this.#ended.get(name) ?? 'pod deleted') : endReason(pod);
    const id = clusterId(owner.cluster);
    if (owner.worker === null && this.clusters.get(id, this.#ns) !== undefined) {
      const st = deleted
        ? { phase: 'Failed' as const, reason: how ?? 'pod deleted' }
        : schedulerPhase(pod);
      void this.status.set(id, st.phase, pod, st.reason);
    }
    if (deleted) {
      let gone = this.#gone.get(owner.cluster);
      if (gone === undefined) this.#gone.set(owner.cluster, (gone = new Map<string, string>()));
      gone.set(name, how ?? 'pod deleted');
    }
    if (!deleted && how === null && pod.status?.phase === 'Running' && !this.#running.has(name)) {
      // Its log file exists from the start (the logs route lists it), refreshed as it ends.
      this.#running.add(name);
      void this.#d.logs.capture(owner.cluster, owner.worker, null);
    }
    // A deleted pod's log is gone with it: it was copied when its deletion began.
    if (deleted || how === null || this.#ended.has(name) || this.#capturing.has(name)) {
      this.#d.notify(change);
      return;
    }
    this.#capturing.add(name);
    void this.#d.logs.capture(owner.cluster, owner.worker, how).then(() => {
      this.#capturing.delete(name);
      this.#ended.set(name, how);
      this.#d.notify(change);
    });
  }

  /** Notes a pod just created for `cluster` (shown as queued until the watch sees it). */
  created(cluster: string, pod: string): void {
    if (this.pods.get(pod, this.#ns) === undefined) {
      this.#creating.set(pod, { cluster, since: this.#d.clock.now() });
    }
  }

  /**
   * Notes a worker pod of `cluster` the API refused to create (e.g. 422 Invalid), under a
   * made-up name: the next `observeWorkers` reports it queued, so the reconciler records it,
   * and later ones report it ended with the API's message (a failed worker start, counted
   * toward the cluster's failure limit; the same spec is refused every time).
   */
  rejected(cluster: string, how: string): void {
    const name = `${objectNames(clusterId(cluster)).workerPrefix}rejected-${String(++this.#refusals)}`;
    this.#rejected.set(name, { cluster, how, reported: false });
    this.#d.notify({ clusterName: cluster, workerName: name });
  }

  /** The IP of pod `name`, from the cache; null while it has none. */
  podIp(name: string): string | null {
    return this.pods.get(name, this.#ns)?.status?.podIP ?? null;
  }

  /** The uid of the DaskCluster `id`, from the cache. */
  clusterUid(id: string): string | undefined {
    return this.clusters.get(id, this.#ns)?.metadata?.uid;
  }

  /** The cached worker pods of cluster `name`. */
  workerPods(name: string): V1Pod[] {
    return this.pods.list().filter((p) => {
      const o = this.#owner(p);
      return o !== null && o.cluster === name && o.worker !== null;
    });
  }

  /** Names of worker pods created for `cluster` that the watch has not shown yet. */
  creatingFor(cluster: string): string[] {
    // The scheduler pod being created is not a worker.
    const workers = objectNames(clusterId(cluster)).workerPrefix;
    return [...this.#creating]
      .filter(([k, v]) => v.cluster === cluster && k.startsWith(workers))
      .map(([k]) => k);
  }

  /** Whether pod `name` ended and its log was kept with its ending. */
  isKept(name: string): boolean {
    return this.#ended.has(name) || this.#capturing.has(name);
  }

  /** Whether the pod named has ended (its log kept) or ends now. */
  hasEnded(pod: V1Pod): boolean {
    return endReason(pod) !== null;
  }

  /** The observation of pod `pod` of cluster `cluster`. */
  observe(cluster: string, pod: string): Observation {
    const refused = this.#rejected.get(pod);
    if (refused !== undefined) {
      return refused.reported
        ? { phase: 'exited', how: refused.how }
        : { phase: 'queued', reason: refused.how, since: this.#d.clock.now() };
    }
    const ended = this.#ended.get(pod);
    if (ended !== undefined) return { phase: 'exited', how: ended };
    const cached = this.pods.get(pod, this.#ns);
    if (cached !== undefined) {
      const o = podObservation(cached, this.#d.clock.now());
      // Until its log is kept, an ending pod still counts as running.
      return o.phase === 'exited' ? { phase: 'running', since: null } : o;
    }
    const creating = this.#creating.get(pod);
    if (creating !== undefined) {
      return { phase: 'queued', reason: 'creating the pod', since: creating.since };
    }
    const how = this.#gone.get(cluster)?.get(pod);
    return how === undefined ? { phase: 'absent' } : { phase: 'exited', how };
  }

  /** The workers of cluster `name`: cached pods, pods being created, and pods gone. */
  observeWorkers(name: string): ObservedWorker[] {
    const names = new Set([
      ...this.workerPods(name).map((p) => p.metadata?.name ?? ''),
      ...this.creatingFor(name),
      ...(this.#gone.get(name)?.keys() ?? []),
      ...[...this.#rejected].filter(([, v]) => v.cluster === name).map(([k]) => k),
    ]);
    const out: ObservedWorker[] = [];
    for (const pod of names) {
      const o = this.observe(name, pod);
      if (o.phase === 'absent') continue;
      if (o.phase === 'exited') out.push({ name: pod, phase: 'exited', how: o.how });
      else if (o.phase === 'queued') out.push({ name: pod, phase: 'queued', since: o.since });
      else
        out.push({ name: pod, phase: 'running', ...(o.since === null ? {} : { since: o.since }) });
    }
    for (const r of this.#rejected.values()) if (r.cluster === name) r.reported = true;
    return out;
  }

  /** Forgets ended and gone pods of `cluster` the reconciler has recorded. */
  forget(cluster: string, pods: readonly string[]): void {
    const gone = this.#gone.get(cluster);
    for (const p of pods) {
      gone?.delete(p);
      this.#ended.delete(p);
    }
  }

  /** Forgets everything of `cluster` (stopped). */
  forgetCluster(cluster: string, id: string): void {
    this.forget(cluster, [...(this.#gone.get(cluster)?.keys() ?? [])]);
    this.#gone.delete(cluster);
    this.#ended.delete(objectNames(id).scheduler);
    this.status.forget(id);
    for (const [p, v] of this.#creating) if (v.cluster === cluster) this.#creating.delete(p);
    for (const [k, v] of this.#rejected) if (v.cluster === cluster) this.#rejected.delete(k);
  }
}
