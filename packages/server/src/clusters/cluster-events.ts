/**
 * What the manager records as events (issue 5, `docs/events.md`): cluster transitions are
 * recorded where they happen; worker transitions are found by comparing each saved worker
 * record with the state last seen, so no code path that changes a worker is missed.
 * @module
 */
import { STOP_REASONS, type EventType, type StopReason } from '@gatehouse/api';
import type { EventSink } from '../events/event-recorder.js';
import { Job, type ClusterRecord, type JobStatus, type WorkerRecord } from './model.js';

/** Lines of a process's output carried by failure events. */
export const LOG_TAIL_LINES = 50;

/** The stop reason of a stopping or stopped cluster, and its free-text detail. */
export function stopReasonOf(c: ClusterRecord): { reason: StopReason; detail: string | null } {
  const recorded = c.stopReason ?? '';
  if (c.target === Job.FAILED) return { reason: 'failure', detail: recorded || null };
  const known = (STOP_REASONS as readonly string[]).includes(recorded);
  return known
    ? { reason: recorded as StopReason, detail: null }
    : { reason: 'user', detail: recorded || null };
}

/** Who causes a stop for `reason` when no user asked. */
export function stopActor(reason: StopReason): string {
  return reason === 'idle' ? 'scheduler' : 'gatehouse';
}

const firstLine = (s: string) => s.split('\n', 1)[0] ?? '';

/** Reads the last lines of a cluster's (`w` null) or a worker's process output. */
export type LogTail = (c: ClusterRecord, w: WorkerRecord | null, lines: number) => string;

/** Why a worker that was not failing stops. */
function workerStopReason(c: ClusterRecord, w: WorkerRecord): string {
  if (c.target !== Job.RUNNING) return 'the cluster is stopping';
  if (w.closeExpected) return 'retired by the scheduler';
  return 'scaled down';
}

/** Records the events of clusters and their workers. */
export class ClusterEvents {
  readonly #sink: EventSink;
  readonly #logTail: LogTail;
  readonly #seen = new Map<string, { status: JobStatus; target: JobStatus }>();
  /** Why a worker is failing, set where the manager decides it. */
  readonly #workerReasons = new Map<string, string>();

  constructor(sink: EventSink, logTail: LogTail) {
    this.#sink = sink;
    this.#logTail = logTail;
  }

  /** Records one event of cluster `c` (and worker `w`, if given). */
  emit(
    c: ClusterRecord,
    type: EventType,
    message: string,
    data: Record<string, unknown> = {},
    actor = 'gatehouse',
    w: WorkerRecord | null = null
  ): void {
    this.#sink.record({
      type,
      cluster: c.name,
      worker: w?.name ?? null,
      username: c.username,
      actor,
      message,
      data,
    });
  }

  /** Remembers a loaded worker's state without recording anything. */
  know(w: WorkerRecord): void {
    this.#seen.set(w.name, { status: w.status, target: w.target });
  }

  /** Notes why worker `w` is about to fail (its worker.failed event carries it). */
  workerFailing(w: WorkerRecord, reason: string): void {
    this.#workerReasons.set(w.name, reason);
  }

  /** A new worker record was created for `c`. */
  workerRequested(c: ClusterRecord, w: WorkerRecord): void {
    this.#seen.set(w.name, { status: w.status, target: w.target });
    this.emit(c, 'worker.starting', `Worker ${w.name} requested`, {}, 'gatehouse', w);
  }

  /** Records what changed in `w` since it was last seen. */
  workerSaved(c: ClusterRecord, w: WorkerRecord): void {
    const prev = this.#seen.get(w.name) ?? { status: Job.CREATED, target: Job.RUNNING };
    this.#seen.set(w.name, { status: w.status, target: w.target });
    if (w.status === Job.RUNNING && prev.status !== Job.RUNNING) {
      this.emit(c, 'worker.running', `Worker ${w.name} connected`, {}, 'scheduler', w);
    }
    if (w.target === Job.STOPPED && prev.target === Job.RUNNING && w.status !== Job.STOPPED) {
      const reason = workerStopReason(c, w);
      this.emit(c, 'worker.stopping', `Worker ${w.name} stopping`, { reason }, 'gatehouse', w);
    }
    if (w.status === prev.status) return;
    if (w.status === Job.STOPPED) {
      const reason = workerStopReason(c, w);
      this.emit(c, 'worker.stopped', `Worker ${w.name} stopped`, { reason }, 'gatehouse', w);
      this.#seen.delete(w.name);
    } else if (w.status === Job.FAILED) {
      this.#workerFailed(c, w);
    }
  }

  /** The cluster was asked to stop (target just became STOPPED or FAILED). */
  stopping(c: ClusterRecord, actor: string | null): void {
    const { reason, detail } = stopReasonOf(c);
    this.emit(
      c,
      'cluster.stopping',
      `Cluster stopping (${reason}${detail === null ? '' : `: ${firstLine(detail)}`})`,
      { reason, ...(detail === null ? {} : { detail }) },
      actor ?? stopActor(reason)
    );
  }

  /** The cluster reached its final state. */
  finished(c: ClusterRecord): void {
    const { reason, detail } = stopReasonOf(c);
    if (c.status === Job.FAILED) {
      this.emit(c, 'cluster.failed', `Cluster failed: ${firstLine(detail ?? 'unknown cause')}`, {
        reason,
        detail: detail ?? '',
        log_tail: this.#logTail(c, null, LOG_TAIL_LINES),
      });
    } else {
      this.emit(c, 'cluster.stopped', `Cluster stopped (${reason})`, {
        reason,
        ...(detail === null ? {} : { detail }),
      });
    }
  }

  /** Records worker `w`'s failure with its reason and the tail of its output. */
  #workerFailed(c: ClusterRecord, w: WorkerRecord): void {
    const reason =
      this.#workerReasons.get(w.name) ??
      (c.target !== Job.RUNNING ? 'the cluster failed' : 'the scheduler lost it');
    this.#workerReasons.delete(w.name);
    this.#seen.delete(w.name);
    this.emit(
      c,
      'worker.failed',
      `Worker ${w.name} failed: ${firstLine(reason)}`,
      { reason, log_tail: this.#logTail(c, w, LOG_TAIL_LINES) },
      'gatehouse',
      w
    );
  }
}

/** Creates the event recorder of one manager. */
export function createClusterEvents(sink: EventSink, logTail: LogTail): ClusterEvents {
  return new ClusterEvents(sink, logTail);
}
