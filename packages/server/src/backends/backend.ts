/**
 * The small interface every backend implements. The reconciler decides *what* should run;
 * a backend only knows *how* to start, stop and check a scheduler or a worker.
 * @module
 */
import type { BackendState, ClusterRecord, WorkerRecord } from '../clusters/model.js';

/** What a backend needs to know to start a scheduler. */
export interface SchedulerLaunch {
  /** URL the scheduler's preload reaches the gateway API at (no trailing slash). */
  readonly apiUrl: string;
  /** Path the scheduler serves its dashboard under, e.g. `/clusters/<name>`. */
  readonly dashboardPrefix: string;
  /** Seconds between heartbeats. */
  readonly heartbeatPeriod: number;
}

/** Names the scheduler (`workerName` null) or worker whose observed state changed. */
export interface BackendChange {
  readonly clusterName: string;
  /** null for the scheduler. */
  readonly workerName: string | null;
}

/**
 * How a backend tells the reconciler that something changed on its own (a process exited, a
 * job ended): the reconciler then reconciles it at once and learns what changed from
 * `observe`. A lost notice is repaired by the periodic resync, which observes everything.
 */
export type BackendNotify = (change: BackendChange) => void;

/**
 * What a backend's cache says of a scheduler or worker: nothing known of it (`absent`: never
 * started, or gone without a trace), waiting in a queue (with the resource manager's reason,
 * since when, clock ms), running (since when, when the backend knows), or ended (`how`: exit
 * code, signal or the resource manager's final state).
 */
export type Observation =
  | { readonly phase: 'absent' }
  | { readonly phase: 'queued'; readonly reason: string; readonly since: number }
  | { readonly phase: 'running'; readonly since: number | null }
  | { readonly phase: 'exited'; readonly how: string };

/**
 * Something the gateway started that carries its marker (a process group, a job, a pod),
 * found by `listOwned` whether or not a record names it. Only the backend that listed it
 * knows what it is; the reconciler reads its names and `key`.
 */
export interface OwnedItem {
  readonly clusterName: string;
  /** null for a scheduler. */
  readonly workerName: string | null;
  /** Identifies the item across scans (e.g. a process leader's pid and start time). */
  readonly key: string;
  /** What to log about it (pids, job ids). */
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * The optional logs capability: a scheduler's (`w` null) or worker's kept output. `tail` is a
 * bounded read of the end (failure evidence is taken synchronously, with the failure event);
 * the whole output is read without blocking the event loop.
 */
export interface BackendLogs {
  /** The last `lines` lines of the output, rotated copies included. */
  tail(c: ClusterRecord, w: WorkerRecord | null, lines: number): string;
  /** The whole kept output, rotated copies included. */
  full(c: ClusterRecord, w: WorkerRecord | null): Promise<string>;
  /** Rotates the cluster's logs that outgrew their size cap. */
  rotate?(c: ClusterRecord): void;
  /**
   * Brings the kept output up to date before it is read for a user (backends that copy it
   * from elsewhere, e.g. Kubernetes `pods/log`); never rejects.
   */
  refresh?(c: ClusterRecord, w: WorkerRecord | null): Promise<void>;
  /** Deletes every kept log of the named cluster. */
  remove?(clusterName: string): void;
}

/**
 * Who keeps a cluster's worker count: the gateway, starting and stopping each worker
 * (`per-job`: local, Slurm), or the engine, told the count (`delegating`: a controller).
 */
export type BackendShape = 'per-job' | 'delegating';

/** Starts, stops and checks the processes of clusters. */
export interface Backend {
  /** Short name, e.g. 'local'. */
  readonly kind: string;
  /**
   * The name on the wire of a new cluster whose generated id is `id` (absent: the id itself);
   * e.g. upstream's KubeBackend names clusters `<namespace>.<id>`.
   */
  clusterName?(id: string): string;
  /** Absent means `per-job`; a `delegating` backend is a `DelegatingBackend`. */
  readonly shape?: BackendShape;
  /**
   * The host every address of `c`'s scheduler must name (its own loopback address, its pod
   * IP), when the backend knows it; null (or absent) when it cannot tell. A heartbeat naming
   * any other host is refused: its addresses would become the cluster's routes.
   */
  schedulerHost?(c: ClusterRecord): string | null;
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
  /**
   * Where the scheduler (`w` null) or worker `w` recorded in its state stands, answered from
   * the backend's own cache (never a call to a resource manager per question).
   */
  observe(c: ClusterRecord, w: WorkerRecord | null): Observation;
  /**
   * Called once at start-up with every cluster record that is not finished, before each is
   * re-adopted: backends that hand out per-cluster resources (uids, addresses) take back the
   * recorded ones.
   */
  adopt?(clusters: readonly ClusterRecord[]): Promise<void>;
  /** Everything live that carries this gateway's marker, whether or not a record names it. */
  listOwned(): Promise<readonly OwnedItem[]>;
  /** Whether `state` (a scheduler's or worker's recorded blob) is the one that started `item`. */
  claims(item: OwnedItem, state: BackendState): boolean;
  /** Deletes an item from `listOwned` (an orphan) at once; resolves to whether it is gone. */
  deleteOwned(item: OwnedItem): Promise<boolean>;
  /** The output the backend keeps of its schedulers and workers, if it keeps any. */
  readonly logs?: BackendLogs;
  /**
   * Backends whose cache follows a resource manager refresh it here, with one batched query
   * (one `squeue`), notifying what changed. Absent for backends whose cache follows events.
   */
  refresh?(): Promise<void>;
  /** Seconds between `refresh` calls. */
  readonly refreshPeriod?: number;
  /** Seconds a job may wait in the queue before the gateway gives up on it. */
  readonly queueTimeout?: number;
  /** Releases what the backend holds open (watches, connections) when the gateway stops. */
  close?(): Promise<void>;
}

/** One worker a delegating backend's cache reports for a cluster, named by the engine. */
export interface ObservedWorker {
  readonly name: string;
  readonly phase: 'queued' | 'running' | 'exited';
  /** Since when it is in this phase (clock ms), when the engine says. */
  readonly since?: number;
  /** How it ended (`exited` only). */
  readonly how?: string;
}

/** What a delegating backend's cache says of a cluster's workers. */
export interface WorkerSetObservation {
  /** The count it last acknowledged from `setWorkerCount`, null if never told. */
  readonly acknowledged: number | null;
  readonly workers: readonly ObservedWorker[];
}

/**
 * A backend of the delegating shape: the engine keeps each cluster's worker count, as a
 * Kubernetes controller keeps a replica count. The reconciler never calls `startWorker` or
 * `stopWorker`; it tells the count and learns the workers from `observeWorkers`. Its
 * `observe(c, w)` answers for a worker by name from the same cache (adoption and the queue
 * timeout sweep ask it).
 */
export interface DelegatingBackend extends Backend {
  readonly shape: 'delegating';
  /**
   * Makes the engine keep `n` workers for `c`, first removing the workers named in `retire`
   * (retired by the scheduler). Idempotent and level-triggered: called again with the same
   * count whenever the observation falls short of it.
   */
  setWorkerCount(
    c: ClusterRecord,
    n: number,
    opts?: { readonly retire?: readonly string[] }
  ): Promise<void>;
  /** The workers the engine has for `c`, from the backend's own cache. */
  observeWorkers(c: ClusterRecord): WorkerSetObservation;
}

/** Whether `b` is of the delegating shape. */
export function isDelegating(b: Backend): b is DelegatingBackend {
  return b.shape === 'delegating';
}
