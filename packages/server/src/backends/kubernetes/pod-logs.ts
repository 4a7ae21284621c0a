/**
 * Scheduler and worker output on Kubernetes: read from the API (`pods/log`) and kept on disk
 * in the same files local processes write (`<logs dir>/<cluster>/…`), so it outlives the pods.
 * A pod's log is copied when it ends (before the reconciler hears of it, so a failure event
 * carries it), before its cluster is deleted, and whenever the whole log is asked for; each copy
 * is bounded by the rotation size and ends with how the pod ended.
 * @module
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { ClusterRecord, WorkerRecord } from '../../clusters/model.js';
import type { RotationLimits } from '../../process/log-files.js';
import type { BackendLogs } from '../backend.js';
import { LocalLogs } from '../local/local-logs.js';
import type { KubeClient } from './kube-client.js';
import { objectNames, clusterId } from './names.js';

/** How the line that ends a finished pod's copy starts. */
const TRAILER = '[gatehouse] pod ';

/** The kept pod logs of one gateway; see the module comment. */
export class PodLogs implements BackendLogs {
  readonly #files: LocalLogs;
  readonly #client: KubeClient;
  readonly #limits: RotationLimits;
  readonly #log: Logger;

  constructor(directory: string, limits: RotationLimits, client: KubeClient, log: Logger) {
    this.#files = new LocalLogs(directory, limits);
    this.#client = client;
    this.#limits = limits;
    this.#log = log;
  }

  /**
   * Copies the log of pod `pod` (the scheduler when `worker` is null) of cluster `clusterName`
   * to its file, followed by `ending` when given. Never rejects.
   */
  async capture(clusterName: string, worker: string | null, ending: string | null): Promise<void> {
    const pod = worker ?? objectNames(clusterId(clusterName)).scheduler;
    const file = this.#files.fileOf(
      { name: clusterName },
      worker === null ? null : { name: worker }
    );
    try {
      const text = await this.#client.podLog(pod, this.#limits.maxBytes);
      const trailer = ending === null ? '' : `${TRAILER}${pod} ended: ${ending}\n`;
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      // No log (never started, or gone): what was kept stays, the ending is added.
      if (text === '') appendFileSync(file, trailer, { mode: 0o600 });
      else
        writeFileSync(file, (text.endsWith('\n') ? text : `${text}\n`) + trailer, { mode: 0o600 });
    } catch (err) {
      this.#log.warn(
        { pod, err: err instanceof Error ? err.message : String(err) },
        'pod log not kept'
      );
    }
  }

  tail(c: ClusterRecord, w: WorkerRecord | null, lines: number): string {
    return this.#files.tail(c, w, lines);
  }

  full(c: ClusterRecord, w: WorkerRecord | null): Promise<string> {
    return this.#files.full(c, w);
  }

  /** Copies a live pod's log afresh; a finished pod's copy (ending with how) is kept. */
  async refresh(c: ClusterRecord, w: WorkerRecord | null): Promise<void> {
    if (this.#files.tail(c, w, 1).includes(TRAILER)) return;
    await this.capture(c.name, w?.name ?? null, null);
  }

  rotate(c: ClusterRecord): void {
    this.#files.rotate(c);
  }

  remove(clusterName: string): void {
    this.#files.remove(clusterName);
  }
}
