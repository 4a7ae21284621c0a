/**
 * The small interface every backend implements. The reconciler decides *what* should run;
 * a backend only knows *how* to start, stop and check a scheduler or a worker.
 * @module
 */
import type { BackendState, ClusterRecord, ProcessRef, WorkerRecord } from '../clusters/model.js';

/** What a backend needs to know to start a scheduler. */
export interface SchedulerLaunch {
  /** URL the scheduler's preload reaches the gateway API at (no trailing slash). */
  readonly apiUrl: string;
  /** Path the scheduler serves its dashboard under, e.g. `/clusters/<name>`. */
  readonly dashboardPrefix: string;
  /** Seconds between heartbeats. */
  readonly heartbeatPeriod: number;
}

/** A scheduler or worker process that ended on its own. */
export interface ProcessExit {
  readonly clusterName: string;
  /** null for the scheduler. */
  readonly workerName: string | null;
  /** Exit code or signal, as text. */
  readonly how: string;
}

/** How a backend tells the reconciler that a scheduler or worker changed on its own. */
export type BackendNotify = (exit: ProcessExit) => void;

/** A process group this gateway started, found without a record (by the gateway's marker). */
export interface OwnedProcessGroup {
  readonly clusterName: string;
  /** null for a scheduler. */
  readonly workerName: string | null;
  /** The process group id (the leader's pid). */
  readonly pgid: number;
  /** The group leader when it is still alive; null when only other members are left. */
  readonly leader: ProcessRef | null;
  /** Every live member carrying the marker (leader first). */
  readonly members: readonly ProcessRef[];
}
/**
 * Where a submitted job of a queueing backend (Slurm) stands: still waiting in the queue (with
 * the resource manager's reason), or running since a time (clock milliseconds).
 */
export type JobPhase =
  | { readonly phase: 'queued'; readonly reason: string; readonly since: number }
  | { readonly phase: 'running'; readonly since: number };

/** Starts, stops and checks the processes of clusters. */
export interface Backend {
  /** Short name, e.g. 'local'. */
  readonly kind: string;
  /** Prepares the cluster's files and starts its scheduler; returns what must be remembered. */
  startCluster(c: ClusterRecord, launch: SchedulerLaunch): Promise<BackendState>;
  /**
   * Stops the scheduler (if any), kills anything else still running for the cluster, and
   * removes the cluster's working files.
   */
  stopCluster(c: ClusterRecord): Promise<void>;
  /** Starts one worker connecting to `c.schedulerAddress`; `apiUrl` as given to schedulers. */
  startWorker(c: ClusterRecord, w: WorkerRecord, apiUrl: string): Promise<BackendState>;
  /** Stops one worker, and kills anything it left behind. */
  stopWorker(c: ClusterRecord, w: WorkerRecord): Promise<void>;
  /** Whether the scheduler (or worker `w`) recorded in `state` is still the process started. */
  isAlive(c: ClusterRecord, w?: WorkerRecord): boolean;
  /**
   * Called once at start-up with every cluster record that is not finished, before each is
   * re-adopted: backends that hand out per-cluster resources (uids, addresses) take back the
   * recorded ones.
   */
  adopt?(clusters: readonly ClusterRecord[]): Promise<void>;
  /** Every live process group this gateway started, whether or not a record names it. */
  listOwnedProcesses(): OwnedProcessGroup[];
  /** SIGKILLs a group from `listOwnedProcesses` (an orphan); resolves to whether it is gone. */
  killOwnedProcesses(g: OwnedProcessGroup): Promise<boolean>;
  /** The last lines of a process's output (scheduler when `w` is null), for failure messages. */
  logTail(c: ClusterRecord, w: WorkerRecord | null, lines: number): string;
  /** A process's whole kept output (rotated copies included). */
  logFull(c: ClusterRecord, w: WorkerRecord | null): string;
  /** Rotates the cluster's process logs that outgrew their size cap. */
  rotateLogs(c: ClusterRecord): void;
  /** Deletes every kept log of the named cluster. */
  removeLogs(clusterName: string): void;
  /**
   * Backends that query a resource manager refresh every job's state with one batched query
   * here (reporting ended jobs through their exit callback); `isAlive` and `phase` answer from
   * the last refresh. Absent for backends that check each process directly.
   */
  poll?(): Promise<void>;
  /** Seconds between `poll` calls. */
  readonly pollPeriod?: number;
  /** Seconds a job may wait in the queue before the gateway gives up on it. */
  readonly queueTimeout?: number;
  /**
   * For queueing backends: whether the scheduler (`w` null) or worker `w` still waits in the
   * queue, or since when it runs. Undefined when it does not queue (start timeouts then count
   * from the request).
   */
  phase?(c: ClusterRecord, w: WorkerRecord | null): JobPhase | undefined;
}
