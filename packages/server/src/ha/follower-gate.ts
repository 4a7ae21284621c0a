/**
 * The cluster manager as the API sees it on a replica that may follow. Only the leader loads the
 * cluster records and reconciles them (its manager holds them in memory), so a follower has no
 * cluster state to answer from: its cluster routes (lists, lookups, creation, scaling, stops,
 * heartbeats, logs) answer 503 `gateway_unavailable` with Retry-After rather than an empty or
 * stale answer. Routes that do not read the manager (auth, access, tokens, quotas, events from
 * the store, the UI) are served by every replica.
 * @module
 */
import type { ClusterManager } from '../clusters/manager.js';
import { GatewayError } from '../errors.js';
import type { Leadership } from './leadership.js';

/** The refusal of a cluster route on a follower. */
function notLeading(l: Leadership): GatewayError {
  return new GatewayError(
    'gateway_unavailable',
    `This gateway replica (${l.replicaId}) does not lead: cluster routes are served by the leader; retry shortly or through another replica`,
    { headers: { 'Retry-After': '5' } }
  );
}

/**
 * `manager` whose API-facing methods refuse unless this process leads and its manager has
 * loaded the records (between winning the lease and that, a new leader refuses too).
 */
export function gateManager(manager: ClusterManager, leadership: Leadership): ClusterManager {
  const check = () => {
    if (!leadership.serving()) throw notLeading(leadership);
  };
  /** `fn`, refused while following. */
  const gated =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    (...args: A): R => {
      check();
      return fn(...args);
    };
  return {
    ...manager,
    get: gated(manager.get),
    all: gated(manager.all),
    list: gated(manager.list),
    create: gated(manager.create),
    stop: gated(manager.stop),
    scale: gated(manager.scale),
    adapt: gated(manager.adapt),
    heartbeat: gated(manager.heartbeat),
    waitForChange: gated(manager.waitForChange),
    logTail: gated(manager.logTail),
    logFull: gated(manager.logFull),
  };
}
