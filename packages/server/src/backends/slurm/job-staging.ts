/**
 * The Slurm backend's files on the shared filesystem: each cluster's staging directory (TLS
 * certificate and key, and the environment files holding the cluster token that batch scripts
 * source), its log directory, and, with `submit_as_user`, the Unix account jobs run as (the
 * directories handed over to it).
 * @module
 */
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { ClusterRecord, WorkerRecord } from '../../clusters/model.js';
import { INSTANCE_VAR, WORKER_VAR, certPaths, processEnvironment } from '../local/environment.js';
import { environmentFile } from './job-script.js';
import type { ResolvedSlurmBackend } from './slurm-config.js';

const execFileAsync = promisify(execFile);

/** A Unix account jobs are submitted as. */
export interface JobUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

const UNIX_NAME = /^[a-z_][a-z0-9_.-]*[$]?$/i;

/** The jobs' files of every cluster, under the configured directories. */
export class JobStaging {
  readonly #cfg: ResolvedSlurmBackend;
  readonly #instanceId: string;
  readonly #gatewayEnv: Readonly<Record<string, string | undefined>>;
  readonly #asUser: boolean;
  readonly #users = new Map<string, JobUser>();

  constructor(
    cfg: ResolvedSlurmBackend,
    instanceId: string,
    gatewayEnv: Readonly<Record<string, string | undefined>>,
    asUser: boolean
  ) {
    this.#cfg = cfg;
    this.#instanceId = instanceId;
    this.#gatewayEnv = gatewayEnv;
    this.#asUser = asUser;
  }

  /** The staging directory of `c`. */
  dirOf(c: ClusterRecord): string {
    return path.join(this.#cfg.stagingDirectory, c.name);
  }

  /** The log file of the scheduler (`w` null) or worker `w` of `c` (as the local backend's). */
  logOf(c: ClusterRecord, w: WorkerRecord | null): string {
    return path.join(this.#logDirOf(c), w === null ? 'scheduler.log' : `worker-${w.name}.log`);
  }

  /** The environment file the batch script of a `role` job sources. */
  envFileOf(c: ClusterRecord, role: 'scheduler' | 'worker'): string {
    return path.join(this.dirOf(c), `${role}.env`);
  }

  #logDirOf(c: ClusterRecord): string {
    return path.join(this.#cfg.logsDirectory, c.name);
  }

  /** The account `c`'s jobs run as; null for the gateway's own. */
  async jobUser(c: ClusterRecord): Promise<JobUser | null> {
    if (!this.#asUser) return null;
    const known = this.#users.get(c.username);
    if (known !== undefined) return known;
    if (!UNIX_NAME.test(c.username)) {
      throw new Error(`user ${c.username} is not a valid Unix user name (submit_as_user)`);
    }
    try {
      const uid = Number((await execFileAsync('id', ['-u', c.username])).stdout.trim());
      const gid = Number((await execFileAsync('id', ['-g', c.username])).stdout.trim());
      const u = { name: c.username, uid, gid };
      this.#users.set(c.username, u);
      return u;
    } catch {
      throw new Error(
        `no Unix user ${c.username} on the gateway host; submit_as_user needs an account per user`
      );
    }
  }

  /** Creates the parents and `c`'s log directory. */
  prepare(c: ClusterRecord): void {
    mkdirSync(this.#cfg.stagingDirectory, { recursive: true, mode: 0o700 });
    mkdirSync(this.#logDirOf(c), { recursive: true, mode: 0o700 });
  }

  /** A fresh staging directory for `c` holding its TLS certificate and key. */
  writeCertificates(c: ClusterRecord): void {
    const dir = this.dirOf(c);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { mode: 0o700 });
    const certs = certPaths(dir);
    mkdirSync(certs.dir, { mode: 0o700 });
    writeFileSync(certs.cert, c.tlsCert, { mode: 0o600, flag: 'wx' });
    writeFileSync(certs.key, c.tlsKey, { mode: 0o600, flag: 'wx' });
  }

  /** Writes the environment file of `role` jobs (the token in it, mode 0600). */
  writeEnv(c: ClusterRecord, role: 'scheduler' | 'worker', apiUrl: string): void {
    const env = processEnvironment(c, {
      // One environment file serves every worker job; each gets its name on its command line.
      role: role === 'scheduler' ? 'scheduler' : { worker: '' },
      instanceId: this.#instanceId,
      workdir: this.dirOf(c),
      apiUrl,
      gatewayEnv: this.#gatewayEnv,
      inherited: this.#cfg.inherited_environment,
      binDir: path.join(c.config.python_env ?? this.#cfg.pythonEnv, 'bin'),
    });
    // Jobs are found through squeue, not /proc: without the instance marker the local orphan
    // scan never mistakes a job that Slurm runs on this host for a stray process.
    const shared = Object.fromEntries(
      Object.entries(env).filter(
        ([k]) => k !== INSTANCE_VAR && (role === 'scheduler' || k !== WORKER_VAR)
      )
    );
    writeFileSync(this.envFileOf(c, role), environmentFile(shared), { mode: 0o600 });
  }

  /** Gives the staging and log directories of `c` to the job user (parents stay traversable). */
  handOver(c: ClusterRecord, u: JobUser): void {
    for (const parent of [this.#cfg.stagingDirectory, this.#cfg.logsDirectory]) {
      chmodSync(parent, 0o711);
    }
    for (const dir of [this.dirOf(c), this.#logDirOf(c)]) {
      chownSync(dir, u.uid, u.gid);
      for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
        chownSync(path.join(dir, entry), u.uid, u.gid);
      }
    }
  }

  /** Removes `c`'s staging directory. */
  remove(c: ClusterRecord): void {
    rmSync(this.dirOf(c), { recursive: true, force: true });
  }
}
