/**
 * The local process backend: each scheduler and worker is a process on this machine, started
 * from a configured Python environment in its own process group (spec §5).
 *
 * Working directories (certificates) are removed at stop; logs are kept in a separate
 * directory so the evidence survives the cluster.
 * @module
 */
import { appendFileSync, existsSync, lstatSync, mkdirSync, readlinkSync, rmSync } from 'node:fs';
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
import {
  readLogFull,
  readLogTail,
  rotateIfLarger,
  type RotationLimits,
} from '../../process/log-files.js';
import { stopProcessGroup } from '../../process/stop-process.js';
import { isSameProcess } from '../../process/process-identity.js';
import { killGroup } from '../../process/process-scan.js';
import { processEnvironment } from './environment.js';
import { asGroup, groupClaimedBy, listOwnedGroups } from './owned-groups.js';
import { ProcessTable } from './process-table.js';
import { schedulerArgv, workerArgv } from '../launch-args.js';
import {
  SHARED_TEMP_DIRECTORIES,
  removeFilesOwnedBy,
  uidOfPid,
  uidsRunningProcesses,
} from './uid-occupancy.js';
import { killUid } from './uid-kill.js';
import { clusterPaths, prepareClustersDirectory, writeClusterFiles } from './cluster-files.js';
import { environmentExecutables, environmentUnusableByOthers } from './environment-access.js';
import { decodeLocalState, encodeLocalState } from './local-state.js';
import {
  identityForSlot,
  lowestFreeSlot,
  type ClusterFirewall,
  type ClusterIdentity,
  type IdRange,
} from './isolation.js';

/** Per-cluster uids (the gateway runs as root), and the firewall told about them. */
export interface LocalIsolation {
  readonly uids: IdRange;
  /** Optional: the network firewall (allow at start, remove at stop, sync at adoption). */
  readonly firewall?: ClusterFirewall;
}

/** What the local backend is built from. */
export interface LocalBackendDeps {
  readonly config: ResolvedProcessSettings;
  readonly gatewayEnv: Readonly<Record<string, string | undefined>>;
  readonly log: Logger;
  /** This gateway's instance id, put in every process's environment. */
  readonly instanceId: string;
  /** Times the stop ladder's timeouts. */
  readonly clock: Clock;
  /** Called when a process this gateway started ends on its own. */
  readonly notify: BackendNotify;
  /** Size cap and rotated copies of each process's log. */
  readonly logs: RotationLimits;
  /** Run each cluster under its own uid and loopback address; absent runs all as the gateway. */
  readonly isolation?: LocalIsolation;
}

/**
 * Why `cmd` cannot run from the environment whose executables are in `binDir`, or null: the
 * environment is missing, or its entry for `cmd` is a link to an interpreter that is gone
 * (otherwise PATH lookup would silently fall through to another Python).
 */
export function environmentProblem(binDir: string, cmd: string): string | null {
  if (cmd.includes('/')) return null;
  if (!existsSync(binDir)) return `the Python environment ${path.dirname(binDir)} does not exist`;
  const entry = path.join(binDir, cmd);
  let isLink: boolean;
  try {
    isLink = lstatSync(entry).isSymbolicLink();
  } catch {
    return null;
  }
  if (isLink && !existsSync(entry)) {
    const target = path.resolve(binDir, readlinkSync(entry));
    return `${entry} points to ${target}, which does not exist (a moved or deleted environment?)`;
  }
  return null;
}

/** Creates the local process backend. */
export function createLocalBackend(deps: LocalBackendDeps): Backend {
  const cfg = deps.config;
  /** The chosen environment's executables (its `python` runs the cluster). */
  const binDir = (c: ClusterRecord) => environmentExecutables(c.config.python_env ?? cfg.pythonEnv);
  const workdirOf = (c: ClusterRecord) => path.join(cfg.clustersDirectory, c.name);
  const isolation = deps.isolation;
  if (isolation !== undefined) prepareClustersDirectory(cfg.clustersDirectory, true);
  /** Identities of the active clusters, by cluster name. */
  const identities = new Map<string, ClusterIdentity>();
  const identityOf = (c: ClusterRecord): ClusterIdentity | null =>
    identities.get(c.name) ?? decodeLocalState(c.state).identity ?? null;
  const hostOf = (c: ClusterRecord) => identityOf(c)?.address ?? '127.0.0.1';
  const allocate = (c: ClusterRecord): ClusterIdentity | null => {
    if (isolation === undefined) return null;
    const range = isolation.uids;
    const used = new Set([...identities.values()].map((i) => i.slot));
    // A uid that runs any process (another gateway's cluster on this host, or a leftover of an
    // old cluster) is never shared.
    for (const uid of uidsRunningProcesses(range)) used.add(uid - range.first);
    const slot = lowestFreeSlot(range, used);
    if (slot === null) {
      throw new Error(
        `all ${String(isolation.uids.count)} cluster uids are in use (backend.isolation_uids.count)`
      );
    }
    const identity = identityForSlot(range, slot);
    identities.set(c.name, identity);
    const removed = removeFilesOwnedBy(identity.uid, SHARED_TEMP_DIRECTORIES);
    if (removed.length > 0) {
      deps.log.info(
        { cluster: c.name, uid: identity.uid, removed },
        'removed files an earlier cluster of this uid left'
      );
    }
    return identity;
  };
  const firewall = async (call: (f: ClusterFirewall) => Promise<void> | void) => {
    const f = isolation?.firewall;
    if (f === undefined) return;
    try {
      await call(f);
    } catch (err) {
      deps.log.error({ err }, 'the cluster firewall refused an update');
      throw err;
    }
  };
  const logOf = (c: ClusterRecord, w: WorkerRecord | null) =>
    path.join(cfg.logsDirectory, c.name, w === null ? 'scheduler.log' : `worker-${w.name}.log`);

  const env = (c: ClusterRecord, w: WorkerRecord | null, apiUrl: string) => {
    const p = clusterPaths(workdirOf(c));
    return processEnvironment(c, {
      role: w === null ? 'scheduler' : { worker: w.name },
      instanceId: deps.instanceId,
      workdir: p.workdir,
      apiUrl,
      gatewayEnv: deps.gatewayEnv,
      inherited: cfg.inherited_environment,
      binDir: binDir(c),
      tokenFile: p.token,
      ...(isolation === undefined ? {} : { home: { home: p.workdir, tmp: p.tmp } }),
    });
  };
  /** The uid and gid `c`'s processes run as (undefined: the gateway's own). */
  const runAsOf = (c: ClusterRecord) => {
    const i = identityOf(c);
    return i === null || isolation === undefined ? {} : { runAs: { uid: i.uid, gid: i.gid } };
  };

  const listOwned = () => listOwnedGroups(deps.instanceId);

  /** Kills what is still running for cluster `c` (and worker `w`, if given) after a stop. */
  const killLeftovers = async (c: ClusterRecord, w: WorkerRecord | null) => {
    for (const g of listOwned()) {
      if (g.clusterName !== c.name || (w !== null && g.workerName !== w.name)) continue;
      deps.log.warn(
        { cluster: c.name, worker: g.workerName, pids: g.members.map((m) => m.pid) },
        'killing processes left behind after a stop'
      );
      await killGroup(g, cfg.sigkill_timeout);
    }
  };

  /**
   * Kills every process of a cluster uid no active cluster holds (what a task detached from
   * its group and markers), so the uid is free again; logs what it killed.
   */
  const killUidProcesses = async (uid: number, gid: number, cluster: string) => {
    if (isolation === undefined || [...identities.values()].some((i) => i.uid === uid)) return;
    const range = isolation.uids;
    if (uid < range.first || uid >= range.first + range.count) return;
    const r = await killUid(uid, gid);
    if (r.killed.length > 0) {
      deps.log.warn(
        { cluster, uid, pids: r.killed },
        'killed the processes left under a cluster uid'
      );
    }
    if (r.survivors.length > 0) {
      deps.log.error({ cluster, uid, pids: r.survivors }, 'processes of a cluster uid survived');
    }
  };

  /** Refuses to start a process whose environment is broken, leaving the cause in its log. */
  const preflight = (c: ClusterRecord, argv: readonly string[], logFile: string) => {
    const problem =
      environmentProblem(binDir(c), argv[0] ?? '') ??
      (isolation === undefined ? null : environmentUnusableByOthers(path.dirname(binDir(c))));
    if (problem === null) return;
    mkdirSync(path.dirname(logFile), { recursive: true, mode: 0o700 });
    appendFileSync(logFile, `gatehouse: cannot start ${argv.join(' ')}: ${problem}\n`, {
      mode: 0o600,
    });
    throw new Error(problem);
  };

  /** The spawned processes, which `observe` answers from. */
  const table = new ProcessTable();
  /** Records a spawned process; its exit is recorded, then the reconciler told. */
  const watch = (spawned: Spawned, clusterName: string, workerName: string | null) => {
    table.started(clusterName, workerName, spawned.ref);
    void spawned.exited.then((how) => {
      table.exited(clusterName, workerName, spawned.ref, how);
      deps.notify({ clusterName, workerName });
    });
  };

  return {
    kind: 'local',

    async startCluster(c: ClusterRecord, launch: SchedulerLaunch): Promise<BackendState> {
      const p = clusterPaths(workdirOf(c));
      const identity = allocate(c);
      writeClusterFiles(c, p, identity);
      const argv = schedulerArgv(c, launch, hostOf(c));
      preflight(c, argv, logOf(c, null));
      if (identity !== null) await firewall((f) => f.allow(identity));
      const spawned = await spawnLogged({
        argv,
        env: env(c, null, launch.apiUrl),
        cwd: p.workdir,
        logFile: logOf(c, null),
        ...runAsOf(c),
      });
      watch(spawned, c.name, null);
      deps.log.info(
        { cluster: c.name, pid: spawned.ref.pid, uid: identity?.uid, address: identity?.address },
        'scheduler started'
      );
      return encodeLocalState({
        workdir: p.workdir,
        process: spawned.ref,
        ...(identity === null ? {} : { identity }),
      });
    },

    async stopCluster(c: ClusterRecord): Promise<void> {
      const ref = decodeLocalState(c.state).process;
      if (ref !== undefined && isSameProcess(ref, c.name)) {
        const gone = await stopProcessGroup(ref, cfg, deps.clock);
        if (!gone) deps.log.warn({ cluster: c.name, pid: ref.pid }, 'scheduler survived SIGKILL');
      }
      await killLeftovers(c, null);
      rmSync(workdirOf(c), { recursive: true, force: true });
      const identity = identityOf(c);
      identities.delete(c.name);
      table.forget(c.name, null);
      if (identity !== null) await killUidProcesses(identity.uid, identity.gid, c.name);
      if (identity !== null) await firewall((f) => f.remove(identity));
    },

    async startWorker(c: ClusterRecord, w: WorkerRecord, apiUrl: string): Promise<BackendState> {
      const argv = workerArgv(c, w, identityOf(c) === null ? null : hostOf(c));
      preflight(c, argv, logOf(c, w));
      const spawned = await spawnLogged({
        argv,
        env: env(c, w, apiUrl),
        cwd: workdirOf(c),
        logFile: logOf(c, w),
        ...runAsOf(c),
      });
      watch(spawned, c.name, w.name);
      return encodeLocalState({ process: spawned.ref });
    },

    async stopWorker(c: ClusterRecord, w: WorkerRecord): Promise<void> {
      const ref = decodeLocalState(w.state).process;
      if (ref !== undefined && isSameProcess(ref, c.name)) {
        const gone = await stopProcessGroup(ref, cfg, deps.clock);
        if (!gone) deps.log.warn({ cluster: c.name, worker: w.name }, 'worker survived SIGKILL');
      }
      await killLeftovers(c, w);
      table.forget(c.name, w.name);
    },

    observe(c: ClusterRecord, w: WorkerRecord | null): Observation {
      return table.observe(c.name, w?.name ?? null, decodeLocalState((w ?? c).state).process);
    },

    adopt(clusters: readonly ClusterRecord[]): Promise<void> {
      for (const c of clusters) {
        const identity = decodeLocalState(c.state).identity;
        if (identity !== undefined) identities.set(c.name, identity);
      }
      return firewall((f) => f.sync([...identities.values()]));
    },

    listOwned: () => Promise.resolve(listOwned()),

    claims: groupClaimedBy,

    async deleteOwned(item: OwnedItem): Promise<boolean> {
      const g = asGroup(item);
      if (g === null) return true;
      const uids = new Set(g.members.map((m) => uidOfPid(m.pid)));
      const gone = await killGroup(g, cfg.sigkill_timeout);
      // An orphan of a final cluster: whatever else its uid runs goes with it. A uid an active
      // cluster holds (an unrecorded worker of a running cluster) keeps its other processes.
      const held = new Set([...identities.values()].map((i) => i.uid));
      for (const uid of uids) {
        if (uid !== null && !held.has(uid)) await killUidProcesses(uid, uid, g.clusterName);
      }
      return gone;
    },

    logTail(c: ClusterRecord, w: WorkerRecord | null, lines: number): string {
      return readLogTail(logOf(c, w), deps.logs.keep, lines);
    },

    logFull(c: ClusterRecord, w: WorkerRecord | null): string {
      return readLogFull(logOf(c, w), deps.logs.keep);
    },

    rotateLogs(c: ClusterRecord): void {
      rotateIfLarger(logOf(c, null), deps.logs);
      for (const w of c.workers.values()) rotateIfLarger(logOf(c, w), deps.logs);
    },

    removeLogs(clusterName: string): void {
      const dir = path.resolve(cfg.logsDirectory, clusterName);
      if (path.dirname(dir) !== path.resolve(cfg.logsDirectory)) return;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
