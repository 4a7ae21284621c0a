/**
 * Client connection counts read from a separately run proxy (`GET /clients`), for the
 * no-client timeout: the proxy splices the clients' connections, so only it can count them.
 * Each poll replaces the snapshot; between polls the last one is answered.
 * @module
 */
import type { Clock } from '../clock.js';
import type { ProxyControl } from './control-client.js';

/** What the cluster manager asks, answered from the last poll. */
export interface RemoteClientCounts {
  /** Null while a client is connected; else when the last one left (undefined: never seen). */
  idleSince(cluster: string): number | null | undefined;
  /** Reads the proxy's counts now; rejects when the proxy cannot be asked. */
  poll(): Promise<void>;
}

/** Creates the counts, empty until the first poll. */
export function createRemoteClientCounts(control: ProxyControl, clock: Clock): RemoteClientCounts {
  let idle = new Map<string, number | null>();
  return {
    idleSince: (cluster) => idle.get(cluster),
    async poll() {
      const clusters = await control.clients();
      const now = clock.now();
      idle = new Map(
        Object.entries(clusters).map(([name, c]) => [
          name,
          c.open > 0 || c.idle_ms === null ? null : now - c.idle_ms,
        ])
      );
    },
  };
}
