/**
 * The local process backend: each scheduler and worker is a process on this machine, started
 * from a configured Python environment in its own process group (spec §5).
 *
 * Working directories (certificates) are removed at stop; logs are kept in a separate
 * directory so the evidence survives the cluster (`local-logs.ts`). What it knows of its
 * processes is in its process table (`process-table.ts`), which `observe` answers from.
 * @module
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type {
  Backend,
  BackendNotify,
  Observation,
  OwnedItem,
  SchedulerLaunch,
} from '../backend.js';
import type { BackendState, ClusterRecord, WorkerRecord } from '../../clusters/model.js';
import type { ResolvedProcessSettings } from '../process-settings.js';
import { spawnLogged, type Spawned } from '../../process/spawn-logged.js';
import type { RotationLimits } from '../../process/log-files.js';
import { stopProcessGroup } from '../../process/stop-process.js';
import { isSameProcess } from '../../process/process-identity.js';
import { killGroup } from '../../process/process-scan.js';
import { schedulerArgv, workerArgv } from '../launch-args.js';
import { clusterPaths, prepareClustersDirectory, writeClusterFiles } from './cluster-files.js';
import { ClusterIdentities, type LocalIsolation } from './cluster-identities.js';
import { processEnvironment } from './environment.js';
import { environmentExecutables } from './environment-access.js';
import { LocalLogs } from './local-logs.js';
import { decodeLocalState, encodeLocalState } from './local-state.js';
import { asGroup, groupClaimedBy, listOwnedGroups } from './owned-groups.js';
import { preflight } from './preflight.js';
import { ProcessTable } from './process-table.js';
import { uidOfPid } from './uid-occupancy.js';

export type { LocalIsolation } from './cluster-identities.js';
export { environmentProblem } from './preflight.js';

/** What the local backend is built from. */
export interface LocalBackendDeps {
  readonly config: ResolvedProcessSettings;
  readonly gatewayEnv: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  /** This gateway's instance id, put in every process's environment. */
  readonly instanceId: string;
  /** Times the stop ladder's timeouts. */
  readonly clock: Clock;
  /** Told when a process this gateway started ends on its own. */
  readonly notify: BackendNotify;
  /** Size cap and rotated copies of each process's log. */
  readonly logs: RotationLimits;
  /** Run each cluster under its own uid and loopback address; absent runs all as the gateway. */
  readonly isolation?: LocalIsolation;
}

/** The local process backend; see the module comment. */
export class LocalBackend implements Backend {
  readonly kind = 'local';
  readonly #deps: LocalBackendDeps;
  readonly #cfg: ResolvedProcessSettings;
  readonly #identities: ClusterIdentities;
  readonly #table = new ProcessTable();
  /** Scheduler and worker output, kept outside the working directories. */
  readonly logs: LocalLogs;

  constructor(deps: LocalBackendDeps) {
    this.#deps = deps;
    this.#cfg = deps.config;
    this.#identities = new ClusterIdentities(deps.isolation, deps.log);
    this.logs = new LocalLogs(deps.config.logsDirectory, deps.logs);
    if (deps.isolation !== undefined) prepareClustersDirectory(this.#cfg.clustersDirectory, true);
  }

  /** The chosen environment's executables (its `python` runs the cluster). */
  #binDir(c: ClusterRecord): string {
    return environmentExecutables(c.config.python_env ?? this.#cfg.pythonEnv);
  }

  #workdirOf(c: ClusterRecord): string {
    return path.join(this.#cfg.clustersDirectory, c.name);
  }

  /** An isolated cluster's own loopback address; null without isolation (no boundary). */
  schedulerHost(c: ClusterRecord): string | null {
    return this.#identities.isolated ? (this.#identities.of(c)?.address ?? null) : null;
  }

  #hostOf(c: ClusterRecord): string {
    return this.#identities.of(c)?.address ?? '127.0.0.1';
  }

  #env(c: ClusterRecord, w: WorkerRecord | null, apiUrl: string) {
    const p = clusterPaths(this.#workdirOf(c));
    return processEnvironment(c, {
      role: w === null ? 'scheduler' : { worker: w.name },
      instanceId: this.#deps.instanceId,
      workdir: p.workdir,
      apiUrl,
      gatewayEnv: this.#deps.gatewayEnv,
      inherited: this.#cfg.inherited_environment,
      binDir: this.#binDir(c),
      tokenFile: p.token,
      ...(this.#identities.isolated ? { home: { home: p.workdir, tmp: p.tmp } } : {}),
    });
  }

  /** The uid and gid `c`'s processes run as (none: the gateway's own). */
  #runAsOf(c: ClusterRecord) {
    const i = this.#identities.of(c);
    return i === null || !this.#identities.isolated ? {} : { runAs: { uid: i.uid, gid: i.gid } };
  }

  /** Refuses to start `argv` from a broken environment (see preflight.ts). */
  #preflight(c: ClusterRecord, w: WorkerRecord | null, argv: readonly string[]): void {
    preflight(this.#binDir(c), argv, this.logs.fileOf(c, w), this.#identities.isolated);
  }

  /** Spawns `argv` for the scheduler (`w` null) or worker `w`, recorded in the table. */
  async #spawn(
    c: ClusterRecord,
    w: WorkerRecord | null,
    argv: readonly string[],
    apiUrl: string
  ): Promise<Spawned> {
    const logFile = this.logs.fileOf(c, w);
    const spawned = await spawnLogged({
      argv,
      env: this.#env(c, w, apiUrl),
      cwd: this.#workdirOf(c),
      logFile,
      ...this.#runAsOf(c),
    });
    const workerName = w?.name ?? null;
    this.#table.started(c.name, workerName, spawned.ref);
    void spawned.exited.then((how) => {
      this.#table.exited(c.name, workerName, spawned.ref, how);
      this.#deps.notify({ clusterName: c.name, workerName });
    });
    return spawned;
  }

  /** Stops the recorded process of the scheduler (`w` null) or worker `w`, then what it left. */
  async #stop(c: ClusterRecord, w: WorkerRecord | null): Promise<void> {
    const ref = decodeLocalState((w ?? c).state).process;
    if (ref !== undefined && isSameProcess(ref, c.name)) {
      const gone = await stopProcessGroup(ref, this.#cfg, this.#deps.clock);
      if (!gone) {
        this.#deps.log.warn(
          { cluster: c.name, worker: w?.name, pid: ref.pid },
          `${w === null ? 'scheduler' : 'worker'} survived SIGKILL`
        );
      }
    }
    for (const g of listOwnedGroups(this.#deps.instanceId)) {
      if (g.clusterName !== c.name || (w !== null && g.workerName !== w.name)) continue;
      this.#deps.log.warn(
        { cluster: c.name, worker: g.workerName, pids: g.members.map((m) => m.pid) },
        'killing processes left behind after a stop'
      );
      await killGroup(g, this.#cfg.sigkill_timeout);
    }
  }

  async startCluster(c: ClusterRecord, launch: SchedulerLaunch): Promise<BackendState> {
    const p = clusterPaths(this.#workdirOf(c));
    const identity = this.#identities.allocate(c);
    writeClusterFiles(c, p, identity);
    const argv = schedulerArgv(c, launch, this.#hostOf(c));
    this.#preflight(c, null, argv);
    if (identity !== null) await this.#identities.firewall((f) => f.allow(identity));
    const spawned = await this.#spawn(c, null, argv, launch.apiUrl);
    this.#deps.log.info(
      { cluster: c.name, pid: spawned.ref.pid, uid: identity?.uid, address: identity?.address },
      'scheduler started'
    );
    return encodeLocalState({
      workdir: p.workdir,
      process: spawned.ref,
      ...(identity === null ? {} : { identity }),
    });
  }

  async stopCluster(c: ClusterRecord): Promise<void> {
    await this.#stop(c, null);
    rmSync(this.#workdirOf(c), { recursive: true, force: true });
    const identity = this.#identities.release(c);
    this.#table.forget(c.name, null);
    if (identity === null) return;
    await this.#identities.killUidProcesses(identity.uid, identity.gid, c.name);
    await this.#identities.firewall((f) => f.remove(identity));
    this.#identities.releaseClaim(identity.uid);
  }

  async startWorker(c: ClusterRecord, w: WorkerRecord, apiUrl: string): Promise<BackendState> {
    const host = this.#identities.of(c) === null ? null : this.#hostOf(c);
    const argv = workerArgv(c, w, host);
    this.#preflight(c, w, argv);
    const spawned = await this.#spawn(c, w, argv, apiUrl);
    return encodeLocalState({ process: spawned.ref });
  }

  async stopWorker(c: ClusterRecord, w: WorkerRecord): Promise<void> {
    await this.#stop(c, w);
    this.#table.forget(c.name, w.name);
  }

  observe(c: ClusterRecord, w: WorkerRecord | null): Observation {
    return this.#table.observe(c.name, w?.name ?? null, decodeLocalState((w ?? c).state).process);
  }

  adopt(clusters: readonly ClusterRecord[]): Promise<void> {
    return this.#identities.adopt(clusters);
  }

  listOwned(): Promise<readonly OwnedItem[]> {
    return Promise.resolve(listOwnedGroups(this.#deps.instanceId));
  }

  claims(item: OwnedItem, state: BackendState): boolean {
    return groupClaimedBy(item, state);
  }

  async deleteOwned(item: OwnedItem): Promise<boolean> {
    const g = asGroup(item);
    if (g === null) return true;
    const uids = new Set(g.members.map((m) => uidOfPid(m.pid)));
    const gone = await killGroup(g, this.#cfg.sigkill_timeout);
    // An orphan of a final cluster: whatever else its uid runs goes with it. A uid an active
    // cluster holds (an unrecorded worker of a running cluster) keeps its other processes.
    const held = this.#identities.heldUids();
    for (const uid of uids) {
      if (uid !== null && !held.has(uid)) {
        await this.#identities.killUidProcesses(uid, uid, g.clusterName);
      }
    }
    return gone;
  }
}

/** Creates the local process backend. */
export function createLocalBackend(deps: LocalBackendDeps): LocalBackend {
  return new LocalBackend(deps);
}
