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
import { replicaGone } from './replica-id.js';

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

/** The boxed start of a won lease's work (so awaiting an attempt does not wait for it). */
type Won = { readonly started: Promise<void> } | null;

/** The election loop of one replica (see the module comment). */
class Elector implements LeaderElector {
  readonly #d: ElectorDeps;
  readonly #mono: () => number;
  readonly #holder: string;
  readonly #period: number;
  #tickTimer: NodeJS.Timeout | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #stopped = false;
  #deposed = false;

  constructor(d: ElectorDeps) {
    this.#d = d;
    this.#mono = d.monotonic ?? (() => performance.now());
    this.#holder = d.leadership.replicaId;
    this.#period = Math.max(50, Math.floor(d.leaseMs / 3));
    d.leadership.onRefused((err) => {
      this.depose(err.message);
    });
  }

  async start(): Promise<void> {
    this.#d.log.info(
      { replica: this.#holder, lease_ms: this.#d.leaseMs },
      'following until the leader lease is won'
    );
    const won = await this.#tick();
    this.#loop();
    await won?.started;
  }

  depose(reason: string): void {
    const { leadership, log } = this.#d;
    if (!leadership.leading() || this.#deposed) return;
    this.#deposed = true;
    const epoch = leadership.epoch();
    leadership.depose();
    clearTimeout(this.#deadlineTimer);
    log.error(
      { event: 'ha.deposed', replica: this.#holder, epoch, reason },
      `stopped leading: ${reason}`
    );
    this.#d.onDeposed(reason);
  }

  async stop(): Promise<void> {
    const { leadership, lease, log } = this.#d;
    this.#stopped = true;
    clearTimeout(this.#tickTimer);
    clearTimeout(this.#deadlineTimer);
    if (!leadership.leading()) return;
    const epoch = leadership.epoch();
    leadership.depose();
    await lease.release(this.#holder, epoch).catch((err: unknown) => {
      log.warn({ err }, 'releasing the leader lease failed (it lapses by itself)');
    });
  }

  /** The lease runs out (for this process) `leaseMs` after `sentAt`. */
  #holdUntil(sentAt: number): void {
    const { leaseMs } = this.#d;
    clearTimeout(this.#deadlineTimer);
    this.#deadlineTimer = setTimeout(
      () => {
        this.depose(`the lease was not renewed within ${String(leaseMs)} ms`);
      },
      Math.max(0, sentAt + leaseMs - this.#mono())
    );
    this.#deadlineTimer.unref();
  }

  /** Tries to take the lease; when won, starts the leader's work (renewals go on meanwhile). */
  async #tryAcquire(): Promise<Won> {
    const { lease, leadership, log } = this.#d;
    const sentAt = this.#mono();
    let r = await lease.acquire(this.#holder, this.#d.leaseMs);
    // A predecessor that crashed on this host holds the lease until it lapses: it is gone, so
    // its lease is released on its behalf (a compare-and-set on its holder and epoch) and taken.
    if (!r.held && r.lease !== null && replicaGone(r.lease.holder)) {
      log.warn(
        { event: 'ha.dead_holder', holder: r.lease.holder, epoch: r.lease.epoch },
        'the lease holder ran on this host and is gone: taking the lease over now'
      );
      await lease.release(r.lease.holder, r.lease.epoch);
      r = await lease.acquire(this.#holder, this.#d.leaseMs);
    }
    if (!r.held) return null;
    const { epoch } = r.lease;
    leadership.elect(epoch);
    this.#holdUntil(sentAt);
    log.info({ event: 'ha.elected', replica: this.#holder, epoch }, 'leading');
    const started = this.#d.onElected(epoch).then(
      () => {
        leadership.started();
        if (leadership.serving()) {
          log.info({ event: 'ha.leading', replica: this.#holder, epoch }, 'serving');
        }
      },
      (err: unknown) => {
        log.error({ err }, 'starting the leader failed');
        this.depose('starting the leader failed');
      }
    );
    return { started };
  }

  async #renew(): Promise<void> {
    const sentAt = this.#mono();
    const { lease, leadership, leaseMs } = this.#d;
    const r = await lease.renew(this.#holder, leadership.epoch(), leaseMs);
    if (r === null) this.depose('the lease was taken over or had lapsed');
    else this.#holdUntil(sentAt);
  }

  async #tick(): Promise<Won> {
    try {
      if (this.#d.leadership.leading()) await this.#renew();
      else if (!this.#deposed) return await this.#tryAcquire();
    } catch (err) {
      this.#d.log.warn(
        { err, replica: this.#holder },
        'the leader lease could not be read or written'
      );
    }
    return null;
  }

  #loop(): void {
    if (this.#stopped) return;
    this.#tickTimer = setTimeout(() => {
      void this.#tick().then(() => {
        this.#loop();
      });
    }, this.#period);
    this.#tickTimer.unref();
  }
}

/** The election loop of one replica. */
export function createLeaderElector(d: ElectorDeps): LeaderElector {
  return new Elector(d);
}
