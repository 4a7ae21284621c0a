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
export function gateManager(m: ClusterManager, leadership: Leadership): ClusterManager {
  const open = (): ClusterManager => {
    if (!leadership.serving()) throw notLeading(leadership);
    return m;
  };
  return {
    onBackendChange: (change) => {
      m.onBackendChange(change);
    },
    start: () => m.start(),
    shutdown: () => m.shutdown(),
    idle: () => m.idle(),
    cleanup: () => m.cleanup(),
    resync: () => {
      m.resync();
    },
    get: (name) => open().get(name),
    all: () => open().all(),
    list: (username, statuses) => open().list(username, statuses),
    create: (username, options, config, onListed) =>
      open().create(username, options, config, onListed),
    stop: (c, reason, actor) => open().stop(c, reason, actor),
    scale: (c, count, actor) => open().scale(c, count, actor),
    adapt: (c, req, actor) => open().adapt(c, req, actor),
    heartbeat: (c, hb) => open().heartbeat(c, hb),
    waitForChange: (c) => open().waitForChange(c),
    logTail: (c, w, lines) => open().logTail(c, w, lines),
    logFull: (c, w) => open().logFull(c, w),
  };
}
