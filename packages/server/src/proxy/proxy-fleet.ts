/**
 * Several `gatehouse proxy` processes fronting the same gateway replicas (`proxy.control_urls`):
 * the leader keeps every proxy's routes equal to its table (one synchroniser per proxy, each
 * converging on its own, so a proxy that is down does not hold up the others) and reads client
 * connections as the sum over the proxies that answer.
 * @module
 */
import type { ClusterClients } from './control-schemas.js';
import type { ProxyControl } from './control-client.js';
import type { RouteSync } from './route-sync.js';
import type { Static } from 'typebox';

type Clients = Record<string, Static<typeof ClusterClients>>;

/** One synchroniser over several: a pass of each per request. */
export function fleetRouteSync(syncs: readonly RouteSync[]): RouteSync {
  return {
    request: () => Promise.all(syncs.map((s) => s.request())).then(() => undefined),
    idle: () => Promise.all(syncs.map((s) => s.idle())).then(() => undefined),
    last: () => {
      const all = syncs.map((s) => s.last());
      return all.find((o) => o !== null && 'error' in o) ?? all[0] ?? null;
    },
  };
}

/** Client counts of every proxy merged: open connections summed, the latest close kept. */
export function mergeClients(each: readonly Clients[]): Clients {
  const out: Clients = {};
  for (const clusters of each) {
    for (const [name, c] of Object.entries(clusters)) {
      const prev = out[name];
      if (prev === undefined) {
        out[name] = c;
        continue;
      }
      const open = prev.open + c.open;
      const idle =
        open > 0 || prev.idle_ms === null || c.idle_ms === null
          ? null
          : Math.min(prev.idle_ms, c.idle_ms);
      out[name] = { open, idle_ms: idle };
    }
  }
  return out;
}

/**
 * The control API of the first proxy, except that `clients()` sums every proxy's answer
 * (rejecting only when none answers).
 */
export function fleetControl(controls: readonly [ProxyControl, ...ProxyControl[]]): ProxyControl {
  const [first] = controls;
  return {
    ...first,
    async clients() {
      const got = await Promise.allSettled(controls.map((c) => c.clients()));
      const ok = got.flatMap((g) => (g.status === 'fulfilled' ? [g.value] : []));
      if (ok.length === 0) {
        const failed = got.find((g) => g.status === 'rejected');
        throw failed?.reason instanceof Error ? failed.reason : new Error('no proxy answered');
      }
      return mergeClients(ok);
    },
  };
}
