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
 * Job state comes from one `squeue` call per poll (see `job-table.ts`); jobs are cancelled with
 * `scancel`. Optionally (as root) jobs are submitted as the cluster owner's Unix user with
 * `runuser`, never `sudo`.
 * @module
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { Backend, BackendNotify, Observation, SchedulerLaunch } from '../backend.js';
import type { BackendState, ClusterRecord, WorkerRecord } from '../../clusters/model.js';
import type { Clock } from '../../clock.js';
import type { ResolvedSlurmBackend } from './slurm-config.js';
import type { ProfileConfig } from '../../config/schema.js';
import type { RotationLimits } from '../../process/log-files.js';
import { createLocalBackend } from '../local/local-backend.js';
import { INSTANCE_VAR, WORKER_VAR, certPaths, processEnvironment } from '../local/environment.js';
import { schedulerArgv, workerArgv } from '../launch-args.js';
import { createJobTable } from './job-table.js';
import { decodeSlurmState, encodeSlurmState } from './slurm-state.js';
import { HOST, batchScript, environmentFile, jobSettings, sbatchArgs } from './job-script.js';
import type { SlurmCli } from './slurm-cli.js';

const execFileAsync = promisify(execFile);

/** What the Slurm backend is built from. */
export interface SlurmBackendDeps {
  readonly config: ResolvedSlurmBackend;
  /** Profiles, for their `slurm` job settings (matched by the cluster's `profile` option). */
  readonly profiles: readonly ProfileConfig[];
  readonly cli: SlurmCli;
  readonly clock: Clock;
  readonly gatewayEnv: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  /** Called when a job (or local scheduler) this gateway started ends on its own. */
  readonly notify: BackendNotify;
  /** Whether the gateway runs as root (needed to submit as other users). */
  readonly isRoot: boolean;
  /** Size cap and rotated copies of each job's log. */
  readonly logs: RotationLimits;
  /** The gateway's instance id (marks local schedulers for the orphan scan). */
  readonly instanceId: string;
}

/** A Unix account jobs are submitted as. */
interface JobUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const UNIX_NAME = /^[a-z_][a-z0-9_.-]*[$]?$/i;

/** Creates the Slurm backend. */
export function createSlurmBackend(deps: SlurmBackendDeps): Backend {
  const { cli, config: cfg, log } = deps;
  const table = createJobTable(() => deps.clock.now());
  const localScheduler = cfg.scheduler_placement === 'local';
  const local = createLocalBackend({
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

  /** The job id recorded for the scheduler (`w` null) or worker `w` of `c`. */
  const jobIdOf = (c: ClusterRecord, w: WorkerRecord | null) =>
    decodeSlurmState((w ?? c).state).jobId;
  const stagingOf = (c: ClusterRecord) => path.join(cfg.stagingDirectory, c.name);
  const logDirOf = (c: ClusterRecord) => path.join(cfg.logsDirectory, c.name);
  const logOf = (c: ClusterRecord, w: WorkerRecord | null) =>
    path.join(logDirOf(c), w === null ? 'scheduler.log' : `worker-${w.name}.log`);
  const envFileOf = (c: ClusterRecord, role: 'scheduler' | 'worker') =>
    path.join(stagingOf(c), `${role}.env`);
  const binDir = (c: ClusterRecord) => path.join(c.config.python_env ?? cfg.pythonEnv, 'bin');

  const users = new Map<string, JobUser>();
  async function jobUser(c: ClusterRecord): Promise<JobUser | null> {
    if (!asUser) return null;
    const known = users.get(c.username);
    if (known !== undefined) return known;
    if (!UNIX_NAME.test(c.username)) {
      throw new Error(`user ${c.username} is not a valid Unix user name (submit_as_user)`);
    }
    try {
      const uid = Number((await execFileAsync('id', ['-u', c.username])).stdout.trim());
      const gid = Number((await execFileAsync('id', ['-g', c.username])).stdout.trim());
      const u = { name: c.username, uid, gid };
      users.set(c.username, u);
      return u;
    } catch {
      throw new Error(
        `no Unix user ${c.username} on the gateway host; submit_as_user needs an account per user`
      );
    }
  }

  /** Gives the staging and log directories of `c` to the job user (parents stay traversable). */
  function handOver(c: ClusterRecord, u: JobUser): void {
    for (const parent of [cfg.stagingDirectory, cfg.logsDirectory]) chmodSync(parent, 0o711);
    for (const dir of [stagingOf(c), logDirOf(c)]) {
      chownSync(dir, u.uid, u.gid);
      for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        chownSync(path.join(dir, entry), u.uid, u.gid);
      }
    }
  }

  const settingsOf = (c: ClusterRecord) => {
    const chosen = c.options['profile'];
    const profile = deps.profiles.find((p) => p.name === chosen);
    return jobSettings(cfg, profile?.slurm);
  };

  function writeEnv(c: ClusterRecord, role: 'scheduler' | 'worker', apiUrl: string): void {
    const env = processEnvironment(c, {
      // One environment file serves every worker job; each gets its name on its command line.
      role: role === 'scheduler' ? 'scheduler' : { worker: '' },
      instanceId: deps.instanceId,
      workdir: stagingOf(c),
      apiUrl,
      gatewayEnv: deps.gatewayEnv,
      inherited: cfg.inherited_environment,
      binDir: binDir(c),
    });
    // Jobs are found through squeue, not /proc: without the instance marker the local orphan
    // scan never mistakes a job that Slurm runs on this host for a stray process.
    const shared = Object.fromEntries(
      Object.entries(env).filter(
        ([k]) => k !== INSTANCE_VAR && (role === 'scheduler' || k !== WORKER_VAR)
      )
    );
    writeFileSync(envFileOf(c, role), environmentFile(shared), { mode: 0o600 });
  }

  async function submit(
    c: ClusterRecord,
    w: WorkerRecord | null,
    argv: readonly string[],
    u: JobUser | null
  ): Promise<string> {
    const role = w === null ? 'scheduler' : 'worker';
    const script = batchScript(envFileOf(c, role), stagingOf(c), argv, cfg.node_host);
    const args = sbatchArgs({
      name: `gatehouse-${c.name}-${w === null ? 'scheduler' : w.name}`,
      cores: w === null ? c.config.scheduler_cores : c.config.worker_cores,
      memory: w === null ? c.config.scheduler_memory : c.config.worker_memory,
      output: logOf(c, w),
      settings: settingsOf(c),
    });
    const id = await cli.sbatch(args, script, u?.name ?? null);
    table.watch(id, { clusterName: c.name, workerName: w?.name ?? null });
    log.info({ cluster: c.name, worker: w?.name, job: id, user: u?.name }, 'slurm job submitted');
    return id;
  }

  async function cancel(id: string | undefined): Promise<void> {
    if (id === undefined) return;
    table.forget(id);
    ended.delete(id);
    await cli.scancel([id]);
  }

  /** How each watched job ended (by id), once a refresh found it ended; `observe` reads it. */
  const ended = new Map<string, string>();
  let refreshing: Promise<void> | null = null;
  async function refreshOnce(): Promise<void> {
    const startedAt = deps.clock.now();
    const rows = await cli.squeue();
    for (const job of table.update(rows, startedAt)) {
      const how = `Slurm job ${job.id} ${job.how}`;
      log.info({ cluster: job.clusterName, worker: job.workerName, how }, 'slurm job ended');
      ended.set(job.id, how);
      deps.notify({ clusterName: job.clusterName, workerName: job.workerName });
    }
  }

  /** Where job `id` of the scheduler (`w` null) or worker `w` of `c` stands. */
  function observeJob(c: ClusterRecord, w: WorkerRecord | null, id: string): Observation {
    const how = ended.get(id);
    if (how !== undefined) return { phase: 'exited', how };
    if (!table.isAlive(id, { clusterName: c.name, workerName: w?.name ?? null })) {
      return { phase: 'absent' };
    }
    return table.phase(id) ?? { phase: 'absent' };
  }

  return {
    kind: 'slurm',
    refreshPeriod: cfg.poll_period,
    queueTimeout: cfg.queue_timeout,

    // Only a local scheduler is a process of this host; jobs are found through squeue.
    listOwned: () => local.listOwned(),
    claims: (item, state) => local.claims(item, state),
    deleteOwned: (item) => local.deleteOwned(item),

    async startCluster(c: ClusterRecord, launch: SchedulerLaunch): Promise<BackendState> {
      const u = await jobUser(c);
      const dir = stagingOf(c);
      mkdirSync(cfg.stagingDirectory, { recursive: true, mode: 0o700 });
      mkdirSync(logDirOf(c), { recursive: true, mode: 0o700 });
      let state: BackendState;
      if (localScheduler) {
        state = await local.startCluster(c, launch);
        writeEnv(c, 'worker', launch.apiUrl);
        if (u !== null) handOver(c, u);
        return state;
      }
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { mode: 0o700 });
      const certs = certPaths(dir);
      mkdirSync(certs.dir, { mode: 0o700 });
      writeFileSync(certs.cert, c.tlsCert, { mode: 0o600, flag: 'wx' });
      writeFileSync(certs.key, c.tlsKey, { mode: 0o600, flag: 'wx' });
      writeEnv(c, 'scheduler', launch.apiUrl);
      writeEnv(c, 'worker', launch.apiUrl);
      if (u !== null) handOver(c, u);
      const jobId = await submit(c, null, schedulerArgv(c, launch, HOST), u);
      return encodeSlurmState({ workdir: dir, jobId });
    },

    async stopCluster(c: ClusterRecord): Promise<void> {
      if (localScheduler) await local.stopCluster(c);
      else await cancel(jobIdOf(c, null));
      rmSync(stagingOf(c), { recursive: true, force: true });
    },

    async startWorker(c: ClusterRecord, w: WorkerRecord): Promise<BackendState> {
      const u = await jobUser(c);
      const jobId = await submit(c, w, workerArgv(c, w, HOST), u);
      return encodeSlurmState({ jobId });
    },

    async stopWorker(c: ClusterRecord, w: WorkerRecord): Promise<void> {
      await cancel(jobIdOf(c, w));
    },

    observe(c: ClusterRecord, w: WorkerRecord | null): Observation {
      if (w === null && localScheduler) return local.observe(c, null);
      const id = jobIdOf(c, w);
      return id === undefined ? { phase: 'absent' } : observeJob(c, w, id);
    },

    // Job output goes to the files a local process would write, so the local backend's log
    // handling (tail, full text, rotation, removal) serves both.
    logTail: (c, w, lines) => local.logTail(c, w, lines),
    logFull: (c, w) => local.logFull(c, w),
    rotateLogs: (c) => {
      local.rotateLogs(c);
    },
    removeLogs: (name) => {
      local.removeLogs(name);
    },

    refresh(): Promise<void> {
      refreshing ??= refreshOnce().finally(() => {
        refreshing = null;
      });
      return refreshing;
    },
  };
}
