/**
 * Whether this gateway process leads, and at which epoch: what the follower gate reads, and the
 * write fence of the cluster store (a follower's epoch is 0, which no lease has, so whatever it
 * tries to write is refused). With SQLite the one process always leads and nothing is fenced.
 * @module
 */
import type { FencedWriteError, WriteFence } from '../store/write-fence.js';

/** This process's role among the replicas of one database. */
export interface Leadership {
  /** The replica id (the lease's holder when this process leads). */
  readonly replicaId: string;
  /** Whether this process leads now. */
  leading(): boolean;
  /** The epoch it leads at; 0 while it follows. */
  epoch(): number;
  /** Whether it leads and its work has started (the manager holds the records): API gate. */
  serving(): boolean;
  /** The cluster store's fence; null when nothing needs fencing (SQLite). */
  readonly fence: WriteFence | null;
}

/** The leadership of a process that alone uses its database (SQLite): always leading. */
export function soleLeadership(replicaId: string): Leadership {
  return { replicaId, leading: () => true, epoch: () => 1, serving: () => true, fence: null };
}

/** The leadership an elector moves: `elect` and `depose` change it. */
export interface ElectedLeadership extends Leadership {
  /** This process leads from now on, at `epoch`. */
  elect(epoch: number): void;
  /** The leader's work has started (a no-op unless leading). */
  started(): void;
  /** This process no longer leads. */
  depose(): void;
  /** Called with every write the fence refused (the elector steps down). */
  onRefused(listener: (err: FencedWriteError) => void): void;
}

/** A leadership that starts following, for replicas sharing PostgreSQL. */
export function electedLeadership(replicaId: string): ElectedLeadership {
  let epoch = 0;
  let ready = false;
  const listeners: ((err: FencedWriteError) => void)[] = [];
  return {
    replicaId,
    leading: () => epoch !== 0,
    epoch: () => epoch,
    serving: () => epoch !== 0 && ready,
    fence: {
      epoch: () => epoch,
      onRefused: (err) => {
        for (const l of listeners) l(err);
      },
    },
    elect(e) {
      epoch = e;
      ready = false;
    },
    started() {
      ready = epoch !== 0;
    },
    depose() {
      epoch = 0;
      ready = false;
    },
    onRefused(listener) {
      listeners.push(listener);
    },
  };
}
