/**
 * The Slurm backend: each worker (and, by default, the scheduler) is an `sbatch` job sized from
 * the cluster's profile. With `scheduler_placement: local` the scheduler runs as a local process
 * on the gateway host (through the local backend) and only workers go to Slurm.
 *
 * Credentials reach jobs through a per-cluster staging directory on a filesystem the nodes
 * share (0700, files 0600, removed at stop): the TLS certificate and key, and an environment
 * file holding the cluster token, which the batch script sources. Job output goes to the same
 * log files as local processes, so the logs route reads both alike.
 *
 * Job state comes from one `squeue` call per refresh (`slurm-jobs.ts`, `job-table.ts`); jobs
 * are cancelled with `scancel`. Staging files and the job user are in `job-staging.ts`. Optionally (as root) jobs are submitted as the cluster owner's Unix user with
 * `runuser`, never `sudo`.
 * @module
 */
import type { Logger } from 'pino';
import type {
  Backend,
  BackendNotify,
  Observation,
  OwnedItem,
  SchedulerLaunch,
} from '../backend.js';
import type { BackendState, ClusterRecord, WorkerRecord } from '../../clusters/model.js';
import type { Clock } from '../../clock.js';
import type { ProfileConfig } from '../../config/schema.js';
import type { RotationLimits } from '../../process/log-files.js';
import { LocalBackend } from '../local/local-backend.js';
import type { LocalLogs } from '../local/local-logs.js';
import { schedulerArgv, workerArgv } from '../launch-args.js';
import { HOST, batchScript, jobSettings, sbatchArgs } from './job-script.js';
import { JobStaging, type JobUser } from './job-staging.js';
import type { ResolvedSlurmBackend } from './slurm-config.js';
import type { SlurmCli } from './slurm-cli.js';
import { SlurmJobs } from './slurm-jobs.js';
import { decodeSlurmState, encodeSlurmState } from './slurm-state.js';

/** What the Slurm backend is built from. */
export interface SlurmBackendDeps {
  readonly config: ResolvedSlurmBackend;
  /** Profiles, for their `slurm` job settings (matched by the cluster's `profile` option). */
  readonly profiles: readonly ProfileConfig[];
  readonly cli: SlurmCli;
  readonly clock: Clock;
  readonly gatewayEnv: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  /** Told when a job (or local scheduler) this gateway started ends on its own. */
  readonly notify: BackendNotify;
  /** Whether the gateway runs as root (needed to submit as other users). */
  readonly isRoot: boolean;
  /** Size cap and rotated copies of each job's log. */
  readonly logs: RotationLimits;
  /** The gateway's instance id (marks local schedulers for the orphan scan). */
  readonly instanceId: string;
}

/** The Slurm backend; see the module comment. */
export class SlurmBackend implements Backend {
  readonly kind = 'slurm';
  readonly refreshPeriod: number;
  readonly queueTimeout: number;
  readonly #deps: SlurmBackendDeps;
  readonly #cfg: ResolvedSlurmBackend;
  readonly #localScheduler: boolean;
  /** Local schedulers, and the log files jobs write to (the same files as local processes). */
  readonly #local: LocalBackend;
  readonly #staging: JobStaging;
  readonly #jobs: SlurmJobs;
  /** Job output goes to the files a local process would write, so the local logs serve both. */
  readonly logs: LocalLogs;

  constructor(deps: SlurmBackendDeps) {
    const { config: cfg, log } = deps;
    this.#deps = deps;
    this.#cfg = cfg;
    this.refreshPeriod = cfg.poll_period;
    this.queueTimeout = cfg.queue_timeout;
    this.#localScheduler = cfg.scheduler_placement === 'local';
    this.#local = new LocalBackend({
      config: { ...cfg, clustersDirectory: cfg.stagingDirectory },
      gatewayEnv: deps.gatewayEnv,
      instanceId: deps.instanceId,
      clock: deps.clock,
      log,
      notify: deps.notify,
      logs: deps.logs,
    });
    const asUser = cfg.submit_as_user && deps.isRoot;
    if (cfg.submit_as_user && !deps.isRoot) {
      log.warn('submit_as_user needs the gateway to run as root; jobs run as its own account');
    }
    this.#staging = new JobStaging(cfg, deps.instanceId, deps.gatewayEnv, asUser);
    this.#jobs = new SlurmJobs(deps.cli, deps.clock, log, deps.notify);
    this.logs = this.#local.logs;
  }

  /** The job id recorded for the scheduler (`w` null) or worker `w` of `c`. */
  #jobIdOf(c: ClusterRecord, w: WorkerRecord | null): string | undefined {
    return decodeSlurmState((w ?? c).state).jobId;
  }

  /** Submits the batch job running `argv` for the scheduler (`w` null) or worker `w`. */
  #submit(
    c: ClusterRecord,
    w: WorkerRecord | null,
    argv: readonly string[],
    u: JobUser | null
  ): Promise<string> {
    const role = w === null ? 'scheduler' : 'worker';
    const dir = this.#staging.dirOf(c);
    const script = batchScript(this.#staging.envFileOf(c, role), dir, argv, this.#cfg.node_host);
    const profile = this.#deps.profiles.find((p) => p.name === c.options['profile']);
    const args = sbatchArgs({
      name: `gatehouse-${c.name}-${w === null ? 'scheduler' : w.name}`,
      cores: w === null ? c.config.scheduler_cores : c.config.worker_cores,
      memory: w === null ? c.config.scheduler_memory : c.config.worker_memory,
      output: this.#staging.logOf(c, w),
      settings: jobSettings(this.#cfg, profile?.slurm),
    });
    return this.#jobs.submit(c, w, args, script, u?.name ?? null);
  }

  async startCluster(c: ClusterRecord, launch: SchedulerLaunch): Promise<BackendState> {
    const u = await this.#staging.jobUser(c);
    this.#staging.prepare(c);
    if (this.#localScheduler) {
      const state = await this.#local.startCluster(c, launch);
      this.#staging.writeEnv(c, 'worker', launch.apiUrl);
      if (u !== null) this.#staging.handOver(c, u);
      return state;
    }
    this.#staging.writeCertificates(c);
    this.#staging.writeEnv(c, 'scheduler', launch.apiUrl);
    this.#staging.writeEnv(c, 'worker', launch.apiUrl);
    if (u !== null) this.#staging.handOver(c, u);
    const jobId = await this.#submit(c, null, schedulerArgv(c, launch, HOST), u);
    return encodeSlurmState({ workdir: this.#staging.dirOf(c), jobId });
  }

  async stopCluster(c: ClusterRecord): Promise<void> {
    if (this.#localScheduler) await this.#local.stopCluster(c);
    else await this.#jobs.cancel(this.#jobIdOf(c, null));
    this.#staging.remove(c);
  }

  async startWorker(c: ClusterRecord, w: WorkerRecord): Promise<BackendState> {
    const u = await this.#staging.jobUser(c);
    const jobId = await this.#submit(c, w, workerArgv(c, w, HOST), u);
    return encodeSlurmState({ jobId });
  }

  async stopWorker(c: ClusterRecord, w: WorkerRecord): Promise<void> {
    await this.#jobs.cancel(this.#jobIdOf(c, w));
  }

  observe(c: ClusterRecord, w: WorkerRecord | null): Observation {
    if (w === null && this.#localScheduler) return this.#local.observe(c, null);
    return this.#jobs.observe(c, w, this.#jobIdOf(c, w));
  }

  refresh(): Promise<void> {
    return this.#jobs.refresh();
  }

  // Only a local scheduler is a process of this host; jobs are found through squeue.
  listOwned(): Promise<readonly OwnedItem[]> {
    return this.#local.listOwned();
  }

  claims(item: OwnedItem, state: BackendState): boolean {
    return this.#local.claims(item, state);
  }

  deleteOwned(item: OwnedItem): Promise<boolean> {
    return this.#local.deleteOwned(item);
  }
}

/** Creates the Slurm backend. */
export function createSlurmBackend(deps: SlurmBackendDeps): Backend {
  return new SlurmBackend(deps);
}
