/**
 * The leader election loop of one replica: every third of the lease period a follower tries to
 * acquire the lease and the leader renews it. The leader counts its lease from when it sent the
 * statement that took or renewed it (a conservative bound: the database set the expiry later),
 * and steps down when that runs out without a renewal, when a renewal finds the lease gone, or
 * when the store refuses one of its writes as fenced. Stepping down is final for this process:
 * its in-memory cluster state is the old leader's, so the wiring ends it (`onDeposed`) and a
 * supervisor starts it again as a follower.
 * @module
 */
import type { Logger } from 'pino';
import type { LeaderLease } from '../store/leader-lease.js';
import type { ElectedLeadership } from './leadership.js';

/** What the elector is built with. */
export interface ElectorDeps {
  readonly lease: LeaderLease;
  readonly leadership: ElectedLeadership;
  /** The lease period, ms. */
  readonly leaseMs: number;
  readonly log: Logger;
  /** Starts the leader's work (the reconciler and its sweeps); a rejection steps down. */
  readonly onElected: (epoch: number) => Promise<void>;
  /** Called once when this process stops leading, with why. */
  readonly onDeposed: (reason: string) => void;
  /** A monotonic clock in ms (default `performance.now`). */
  readonly monotonic?: () => number;
}

/** A running election loop. */
export interface LeaderElector {
  /** Makes the first attempt (and starts leading if it wins), then keeps trying in the background. */
  start(): Promise<void>;
  /** Steps down now (logged); a no-op unless leading. */
  depose(reason: string): void;
  /** Stops the loop; a leader releases the lease so a follower takes over at once. */
  stop(): Promise<void>;
}

/** The election loop of one replica. */
export function createLeaderElector(d: ElectorDeps): LeaderElector {
  const { lease, leadership, leaseMs, log } = d;
  const mono = d.monotonic ?? (() => performance.now());
  const holder = leadership.replicaId;
  const period = Math.max(50, Math.floor(leaseMs / 3));
  let tickTimer: NodeJS.Timeout | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  let deposed = false;

  const depose = (reason: string) => {
    if (!leadership.leading() || deposed) return;
    deposed = true;
    const epoch = leadership.epoch();
    leadership.depose();
    clearTimeout(deadlineTimer);
    log.error(
      { event: 'ha.deposed', replica: holder, epoch, reason },
      `stopped leading: ${reason}`
    );
    d.onDeposed(reason);
  };

  /** The lease runs out (for this process) `leaseMs` after `sentAt`. */
  const holdUntil = (sentAt: number) => {
    clearTimeout(deadlineTimer);
    deadlineTimer = setTimeout(
      () => {
        depose(`the lease was not renewed within ${String(leaseMs)} ms`);
      },
      Math.max(0, sentAt + leaseMs - mono())
    );
    deadlineTimer.unref();
  };

  /**
   * Tries to take the lease; when won, the leader's work starting, boxed so that awaiting the
   * attempt does not wait for it (renewals go on meanwhile).
   */
  const tryAcquire = async (): Promise<{ started: Promise<void> } | null> => {
    const sentAt = mono();
    const r = await lease.acquire(holder, leaseMs);
    if (!r.held) return null;
    leadership.elect(r.lease.epoch);
    holdUntil(sentAt);
    log.info({ event: 'ha.elected', replica: holder, epoch: r.lease.epoch }, 'leading');
    const started = d.onElected(r.lease.epoch).then(
      () => {
        leadership.started();
        if (leadership.serving()) {
          log.info({ event: 'ha.leading', replica: holder, epoch: r.lease.epoch }, 'serving');
        }
      },
      (err: unknown) => {
        log.error({ err }, 'starting the leader failed');
        depose('starting the leader failed');
      }
    );
    return { started };
  };

  const renew = async () => {
    const sentAt = mono();
    const r = await lease.renew(holder, leadership.epoch(), leaseMs);
    if (r === null) depose('the lease was taken over or had lapsed');
    else holdUntil(sentAt);
  };

  const tick = async (): Promise<{ started: Promise<void> } | null> => {
    try {
      if (leadership.leading()) await renew();
      else if (!deposed) return await tryAcquire();
    } catch (err) {
      log.warn({ err, replica: holder }, 'the leader lease could not be read or written');
    }
    return null;
  };

  const loop = () => {
    if (stopped) return;
    tickTimer = setTimeout(() => {
      void tick().then(loop);
    }, period);
    tickTimer.unref();
  };

  leadership.onRefused((err) => {
    depose(err.message);
  });

  return {
    async start() {
      log.info({ replica: holder, lease_ms: leaseMs }, 'following until the leader lease is won');
      const won = await tick();
      loop();
      await won?.started;
    },
    depose,
    async stop() {
      stopped = true;
      clearTimeout(tickTimer);
      clearTimeout(deadlineTimer);
      if (!leadership.leading()) return;
      const epoch = leadership.epoch();
      leadership.depose();
      await lease.release(holder, epoch).catch((err: unknown) => {
        log.warn({ err }, 'releasing the leader lease failed (it lapses by itself)');
      });
    },
  };
}
