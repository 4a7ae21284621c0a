/**
 * Counts the client connections the proxy splices to each cluster's scheduler (workers connect
 * to their scheduler directly, so these are users' clients), so a cluster nobody is connected to
 * can be stopped after a configured time.
 * @module
 */
import type { Clock } from '../clock.js';

/** Client connections per cluster. */
export interface ClientTracker {
  opened(cluster: string): void;
  closed(cluster: string): void;
  /** Null while a client is connected; else when the last one left (undefined: never seen). */
  idleSince(cluster: string): number | null | undefined;
  /** Open connections to `cluster`. */
  count(cluster: string): number;
  /** Drops what is remembered of a cluster with no open connection (its route is gone). */
  forget(cluster: string): void;
  /** Every cluster seen: open connections and when the last one closed (null while open). */
  snapshot(): Array<{ cluster: string; open: number; idleSince: number | null }>;
}

/** Creates an empty tracker. */
export function createClientTracker(clock: Clock): ClientTracker {
  const open = new Map<string, number>();
  const lastClosed = new Map<string, number>();
  return {
    opened(cluster) {
      open.set(cluster, (open.get(cluster) ?? 0) + 1);
    },
    closed(cluster) {
      const n = (open.get(cluster) ?? 1) - 1;
      if (n <= 0) open.delete(cluster);
      else open.set(cluster, n);
      lastClosed.set(cluster, clock.now());
    },
    idleSince(cluster) {
      if ((open.get(cluster) ?? 0) > 0) return null;
      return lastClosed.get(cluster);
    },
    count: (cluster) => open.get(cluster) ?? 0,
    forget(cluster) {
      if (!open.has(cluster)) lastClosed.delete(cluster);
    },
    snapshot() {
      const names = new Set([...open.keys(), ...lastClosed.keys()]);
      return [...names].map((cluster) => {
        const n = open.get(cluster) ?? 0;
        return { cluster, open: n, idleSince: n > 0 ? null : (lastClosed.get(cluster) ?? null) };
      });
    },
  };
}
