/**
 * The Slurm backend's jobs: submitting (`sbatch`) and cancelling (`scancel`) them, and its
 * cache of where each stands, refreshed by one `squeue` per refresh (see `job-table.ts`); jobs
 * found ended are remembered with how they ended, and the reconciler notified.
 * @module
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { ClusterRecord, WorkerRecord } from '../../clusters/model.js';
import type { BackendNotify, Observation } from '../backend.js';
import { createJobTable } from './job-table.js';
import type { SlurmCli } from './slurm-cli.js';

/** The jobs this gateway submitted or adopted. */
export class SlurmJobs {
  readonly #cli: SlurmCli;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #notify: BackendNotify;
  readonly #table: ReturnType<typeof createJobTable>;
  /** How each watched job ended (by id), once a refresh found it ended. */
  readonly #ended = new Map<string, string>();
  #refreshing: Promise<void> | null = null;

  constructor(cli: SlurmCli, clock: Clock, log: Logger, notify: BackendNotify) {
    this.#cli = cli;
    this.#clock = clock;
    this.#log = log;
    this.#notify = notify;
    this.#table = createJobTable(() => clock.now());
  }

  /** Submits a batch job for the scheduler (`w` null) or worker `w` of `c`; its id. */
  async submit(
    c: ClusterRecord,
    w: WorkerRecord | null,
    args: readonly string[],
    script: string,
    user: string | null
  ): Promise<string> {
    const id = await this.#cli.sbatch(args, script, user);
    this.#table.watch(id, { clusterName: c.name, workerName: w?.name ?? null });
    this.#log.info({ cluster: c.name, worker: w?.name, job: id, user }, 'slurm job submitted');
    return id;
  }

  /** Cancels job `id` (and forgets it). */
  async cancel(id: string | undefined): Promise<void> {
    if (id === undefined) return;
    this.#table.forget(id);
    this.#ended.delete(id);
    await this.#cli.scancel([id]);
  }

  /** One `squeue` for every job (concurrent calls share it). */
  refresh(): Promise<void> {
    this.#refreshing ??= this.#refreshOnce().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<void> {
    const startedAt = this.#clock.now();
    const rows = await this.#cli.squeue();
    for (const job of this.#table.update(rows, startedAt)) {
      const how = `Slurm job ${job.id} ${job.how}`;
      this.#log.info({ cluster: job.clusterName, worker: job.workerName, how }, 'slurm job ended');
      this.#ended.set(job.id, how);
      this.#notify({ clusterName: job.clusterName, workerName: job.workerName });
    }
  }

  /** Where job `id` of the scheduler (`w` null) or worker `w` of `c` stands. */
  observe(c: ClusterRecord, w: WorkerRecord | null, id: string | undefined): Observation {
    if (id === undefined) return { phase: 'absent' };
    const how = this.#ended.get(id);
    if (how !== undefined) return { phase: 'exited', how };
    if (!this.#table.isAlive(id, { clusterName: c.name, workerName: w?.name ?? null })) {
      return { phase: 'absent' };
    }
    return this.#table.phase(id) ?? { phase: 'absent' };
  }
}
