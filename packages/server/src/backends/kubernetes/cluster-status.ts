/**
 * The `DaskCluster`'s status, written as upstream's controller writes it (its `phase` is what
 * upstream's KubeBackend and tooling read): `Pending` until the scheduler pod runs, `Running`,
 * `Failed` (with why) when the scheduler pod ended, `Closing` while the cluster is stopped; plus
 * `credentials` (the Secret's name, as upstream) and the scheduler pod's name and IP. Each phase
 * is written once, through the status subresource; a failed write is logged, never thrown.
 * @module
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeClient } from './kube-client.js';
import { objectNames } from './names.js';
import { endReason } from './pod-status.js';

/** The phases upstream's controller writes (its `ClusterStatus` names). */
export type ClusterPhase = 'Pending' | 'Running' | 'Closing' | 'Failed';

/** The cluster's phase as its scheduler pod shows it. */
export function schedulerPhase(pod: V1Pod): { phase: ClusterPhase; reason?: string } {
  const ended = endReason(pod);
  if (ended !== null) return { phase: 'Failed', reason: ended };
  return { phase: pod.status?.phase === 'Running' ? 'Running' : 'Pending' };
}

/** Writes DaskCluster statuses; see the module comment. */
export class ClusterStatusWriter {
  readonly #client: KubeClient;
  readonly #log: Logger;
  /** The phase last written, by DaskCluster name. */
  readonly #written = new Map<string, ClusterPhase>();

  constructor(client: KubeClient, log: Logger) {
    this.#client = client;
    this.#log = log;
  }

  /** The writes in flight, by DaskCluster name (one at a time, in the order asked). */
  readonly #chains = new Map<string, Promise<void>>();

  /**
   * Writes `phase` for DaskCluster `id` unless it is already written; never rejects. Writes of
   * one DaskCluster go one after another: two PATCHes in flight could reach the API server out
   * of order and leave an older phase (Pending after Running).
   */
  set(id: string, phase: ClusterPhase, pod?: V1Pod, reason?: string): Promise<void> {
    const next = (this.#chains.get(id) ?? Promise.resolve()).then(() =>
      this.#write(id, phase, pod, reason)
    );
    this.#chains.set(id, next);
    void next.then(() => {
      if (this.#chains.get(id) === next) this.#chains.delete(id);
    });
    return next;
  }

  async #write(id: string, phase: ClusterPhase, pod?: V1Pod, reason?: string): Promise<void> {
    if (this.#written.get(id) === phase) return;
    // Once closing, only the deletion follows.
    if (this.#written.get(id) === 'Closing') return;
    this.#written.set(id, phase);
    const names = objectNames(id);
    const ip = pod?.status?.podIP;
    const status = {
      phase,
      credentials: names.secret,
      schedulerPod: names.scheduler,
      ...(ip === undefined ? {} : { schedulerIP: ip }),
      ...(reason === undefined ? {} : { reason }),
      ...(phase === 'Failed' ? { completionTime: new Date().toISOString() } : {}),
    };
    try {
      await this.#client.setClusterStatus(id, status);
    } catch (err) {
      this.#written.delete(id);
      this.#log.warn({ daskcluster: id, phase, err: (err as Error).message }, 'status not written');
    }
  }

  /** Forgets DaskCluster `id` (deleted). */
  forget(id: string): void {
    this.#written.delete(id);
  }
}
