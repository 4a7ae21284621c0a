/**
 * What a use of a cluster by someone other than its owner, through a share, leaves behind
 * (issue 22): an audit entry for every API request and dashboard opening (`use shared cluster`,
 * the action and level in the detail), and a `cluster.shared_use` event with the sharer as
 * actor: the first use of each kind by each sharer in a minute, so that a page polling the
 * cluster does not flood its events (the audit log keeps every one).
 * @module
 */
import type { NewEvent } from '../events/event-recorder.js';
import type { ShareLevel } from './cluster-shares.js';

/** Notes that `user` used cluster `c` through a share at `level`; `action` e.g. `view`, `scale`. */
export type SharedUseLog = (
  user: string,
  c: { readonly name: string; readonly username: string },
  action: string,
  level: ShareLevel
) => void;

/** What the log writes to. */
export interface SharedUseDeps {
  readonly audit: (
    actor: string,
    action: string,
    target: string,
    outcome: 'ok',
    detail: string
  ) => void;
  readonly record: (e: NewEvent) => unknown;
  /** Milliseconds now. */
  readonly now: () => number;
}

/** At most one event per sharer, cluster and action in this many milliseconds. */
export const SHARED_USE_EVENT_MS = 60_000;

/** Creates the log over `deps`. */
export function createSharedUseLog(deps: SharedUseDeps): SharedUseLog {
  const last = new Map<string, number>();
  return (user, c, action, level) => {
    deps.audit(user, 'use shared cluster', c.name, 'ok', `${action} (${level})`);
    const now = deps.now();
    const key = `${c.name}\n${user}\n${action}`;
    const at = last.get(key);
    if (at !== undefined && now - at < SHARED_USE_EVENT_MS) return;
    if (last.size >= 10_000) {
      for (const [k, t] of last) if (now - t >= SHARED_USE_EVENT_MS) last.delete(k);
    }
    last.set(key, now);
    deps.record({
      type: 'cluster.shared_use',
      cluster: c.name,
      username: c.username,
      actor: user,
      message: `${user} used the cluster through a ${level} share: ${action}`,
      data: { action, level },
    });
  };
}
