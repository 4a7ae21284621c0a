/**
 * The gateway's own view of its Slurm jobs, refreshed by one `squeue` call per poll.
 *
 * Slurm (without accounting storage) forgets finished jobs after MinJobAge, so the table records
 * each outcome itself: when a watched job reaches a final state, or leaves the queue listing,
 * its owner is told once, with Slurm's state and reason.
 * @module
 */
import type { Observation } from '../backend.js';

/** Where a watched job stands: queued (with Slurm's reason) or running. */
export type JobPhase = Extract<Observation, { phase: 'queued' | 'running' }>;
import type { SqueueRow } from './slurm-cli.js';

/** Whom a job belongs to. */
export interface JobOwner {
  readonly clusterName: string;
  /** null for the scheduler. */
  readonly workerName: string | null;
}

/** A watched job that ended: its owner and what Slurm said. */
export interface EndedJob extends JobOwner {
  readonly id: string;
  /** e.g. 'FAILED (NonZeroExitCode)', 'CANCELLED', 'no longer listed by squeue'. */
  readonly how: string;
}

interface Watched {
  readonly owner: JobOwner;
  /** When the gateway submitted (or adopted) the job, clock ms. */
  readonly since: number;
  runningSince: number | null;
}

/** States in which a job holds (or waits for) resources. */
const ACTIVE = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'RESIZING',
  'REQUEUED',
  'REQUEUE_HOLD',
  'REQUEUE_FED',
  'SIGNALING',
  'STAGE_OUT',
  'STOPPED',
  'RESV_DEL_HOLD',
]);
/** Active states in which the job's program runs. */
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'SUSPENDED', 'SIGNALING', 'STAGE_OUT']);

/** Creates an empty job table. */
export function createJobTable(now: () => number) {
  const watched = new Map<string, Watched>();
  let listed = new Map<string, SqueueRow>();
  /** When the last completed squeue call started; jobs submitted later may be missing from it. */
  let listedAt = -Infinity;

  return {
    /** Starts following a job the gateway submitted. */
    watch(id: string, owner: JobOwner): void {
      watched.set(id, { owner, since: now(), runningSince: null });
    },

    /** Stops following a job (the gateway cancels it itself). */
    forget(id: string): void {
      watched.delete(id);
    },

    /**
     * Whether job `id` may still be running: watched and not seen ended, or (a job recorded
     * before a restart) listed active by the last squeue. Adopts such a job for `owner`.
     */
    isAlive(id: string, owner: JobOwner): boolean {
      if (watched.has(id)) return true;
      const row = listed.get(id);
      if (row === undefined || !ACTIVE.has(row.state)) return false;
      watched.set(id, {
        owner,
        since: listedAt,
        runningSince: RUNNING.has(row.state) ? listedAt : null,
      });
      return true;
    },

    /** Queued (with Slurm's reason) or running since when; undefined for unknown jobs. */
    phase(id: string): JobPhase | undefined {
      const w = watched.get(id);
      if (w === undefined) return undefined;
      if (w.runningSince !== null) return { phase: 'running', since: w.runningSince };
      const reason = listed.get(id)?.reason ?? 'None';
      return { phase: 'queued', reason: reason === '' ? 'None' : reason, since: w.since };
    },

    /**
     * Applies one squeue listing taken at `startedAt`; returns the watched jobs that ended
     * (they are forgotten).
     */
    update(rows: Map<string, SqueueRow>, startedAt: number): EndedJob[] {
      listed = rows;
      listedAt = startedAt;
      const ended: EndedJob[] = [];
      for (const [id, w] of watched) {
        const row = rows.get(id);
        if (row === undefined) {
          if (w.since < startedAt) {
            ended.push({ id, ...w.owner, how: 'no longer listed by squeue' });
            watched.delete(id);
          }
          continue;
        }
        if (RUNNING.has(row.state) && w.runningSince === null) w.runningSince = now();
        if (!ACTIVE.has(row.state)) {
          const reason = row.reason === '' || row.reason === 'None' ? '' : ` (${row.reason})`;
          ended.push({ id, ...w.owner, how: `${row.state}${reason}` });
          watched.delete(id);
        }
      }
      return ended;
    },
  };
}

/** A job table. */
export type JobTable = ReturnType<typeof createJobTable>;
