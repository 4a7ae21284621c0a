/**
 * Where scheduler and worker output is kept per cluster (outside its working directory, so the
 * evidence survives the cluster), and reading, rotating and removing it. The Slurm backend's
 * jobs write to the same files.
 * @module
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { ClusterRecord, WorkerRecord } from '../../clusters/model.js';
import type { BackendLogs } from '../backend.js';
import {
  readLogFull,
  readLogTail,
  rotateIfLarger,
  type RotationLimits,
} from '../../process/log-files.js';

/** The kept logs under one directory. */
export class LocalLogs implements BackendLogs {
  readonly #directory: string;
  readonly #limits: RotationLimits;

  constructor(directory: string, limits: RotationLimits) {
    this.#directory = directory;
    this.#limits = limits;
  }

  /** The log file of the scheduler (`w` null) or worker `w` of `c`. */
  fileOf(c: Pick<ClusterRecord, 'name'>, w: Pick<WorkerRecord, 'name'> | null): string {
    return path.join(
      this.#directory,
      c.name,
      w === null ? 'scheduler.log' : `worker-${w.name}.log`
    );
  }

  /** The last `lines` lines, rotated copies included. */
  tail(c: ClusterRecord, w: WorkerRecord | null, lines: number): string {
    return readLogTail(this.fileOf(c, w), this.#limits.keep, lines);
  }

  /** The whole kept output, rotated copies included (read asynchronously). */
  full(c: ClusterRecord, w: WorkerRecord | null): Promise<string> {
    return readLogFull(this.fileOf(c, w), this.#limits.keep);
  }

  /** Rotates the cluster's logs that outgrew their size cap. */
  rotate(c: ClusterRecord): void {
    rotateIfLarger(this.fileOf(c, null), this.#limits);
    for (const w of c.workers.values()) rotateIfLarger(this.fileOf(c, w), this.#limits);
  }

  /** Deletes every kept log of the named cluster. */
  remove(clusterName: string): void {
    const dir = path.resolve(this.#directory, clusterName);
    if (path.dirname(dir) !== path.resolve(this.#directory)) return;
    rmSync(dir, { recursive: true, force: true });
  }
}
