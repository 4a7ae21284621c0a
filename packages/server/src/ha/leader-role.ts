/**
 * This gateway's role, for the composition root: with SQLite the one process leads from the
 * start and nothing changes; with PostgreSQL every replica follows until the elector wins it the
 * lease, and only then starts the leader's work (the reconciler, its sweeps and orphan scans,
 * route sync). A replica that stops leading ends (`onDeposed`, by default exiting the process
 * with EXIT_DEPOSED) because its in-memory cluster state is no longer the truth.
 * @module
 */
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/load.js';
import type { LeaderLease } from '../store/leader-lease.js';
import { createLeaderElector, type LeaderElector } from './leader-elector.js';
import { electedLeadership, soleLeadership, type Leadership } from './leadership.js';
import { newReplicaId } from './replica-id.js';

/** The exit code of a replica that stopped leading (a supervisor restarts it as a follower). */
export const EXIT_DEPOSED = 75;

/** This process's role and the start and stop of the leader's work. */
export interface LeaderRole {
  readonly leadership: Leadership;
  /**
   * Runs `lead` when this process leads: at once (SQLite), or once the lease is won. Resolves
   * after the first attempt at the lease (and `lead`, if it won).
   */
  start(lease: LeaderLease, lead: () => Promise<void>): Promise<void>;
  /** Stops the election; a leader releases the lease (call after the leader's work stopped). */
  stop(): Promise<void>;
}

/** Ends the process: the default response to being deposed. */
export function exitDeposed(log: Logger): (reason: string) => void {
  return (reason) => {
    log.fatal(
      { event: 'ha.exit', reason, exit_code: EXIT_DEPOSED },
      'exiting: this replica no longer leads and its cluster state is stale; restart it to follow'
    );
    process.exit(EXIT_DEPOSED);
  };
}

/** The role of a gateway on `config.store`. */
export function createLeaderRole(
  config: GatewayConfig,
  log: Logger,
  onDeposed: (reason: string) => void
): LeaderRole {
  const replicaId = newReplicaId();
  if (config.store.type === 'sqlite') {
    return {
      leadership: soleLeadership(replicaId),
      start: (_lease, lead) => lead(),
      stop: () => Promise.resolve(),
    };
  }
  const leadership = electedLeadership(replicaId);
  const leaseMs = Math.round(config.store.leaseSeconds * 1000);
  let elector: LeaderElector | null = null;
  return {
    leadership,
    async start(lease, lead) {
      elector = createLeaderElector({
        lease,
        leadership,
        leaseMs,
        log,
        onElected: lead,
        onDeposed,
      });
      await elector.start();
    },
    stop: () => elector?.stop() ?? Promise.resolve(),
  };
}
