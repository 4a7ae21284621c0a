/**
 * Cluster routes: what a running cluster's scheduler and dashboard are routed by, kept in the
 * route table and, with `proxy.mode: external`, synchronised to the separately run proxy
 * (whose client counts the reconciler reads for idle culling).
 * @module
 */
import type { Logger } from 'pino';
import type { DashboardGrants } from '../auth/dashboard-grants.js';
import type { Clock } from '../clock.js';
import type { ClusterRoutes } from '../clusters/manager.js';
import type { ClusterRecord } from '../clusters/model.js';
import type { GatewayConfig } from '../config/load.js';
import { createProxyControlClient } from '../proxy/control-client.js';
import type { ProxyInfo } from '../proxy/control-schemas.js';
import { fleetControl, fleetRouteSync } from '../proxy/proxy-fleet.js';
import { createRemoteClientCounts } from '../proxy/remote-clients.js';
import { createRouteSync } from '../proxy/route-sync.js';
import type { Route, RouteTable } from '../proxy/route-table.js';

/** The routes of a running cluster: its scheduler by SNI, its dashboard by path. */
export function clusterRouteList(c: ClusterRecord, prefix: string): Route[] {
  const out: Route[] = [{ kind: 'SNI', sni: c.name, target: c.schedulerAddress }];
  if (c.dashboardAddress !== '') {
    const path = `${prefix}/clusters/${c.name}`;
    out.push({ kind: 'PATH', path, target: `${c.dashboardAddress.replace(/\/+$/, '')}${path}` });
  }
  return out;
}

/**
 * With `proxy.mode: external`: the route synchroniser and client counts of the separately run
 * proxies (`proxy.control_urls`), and the periodic resync (while `leading`); null for the
 * in-process proxy.
 */
export function externalProxy(
  config: GatewayConfig,
  routes: RouteTable,
  clock: Clock,
  log: Logger,
  leading: () => boolean = () => true
) {
  const p = config.proxy;
  if (p.mode !== 'external' || p.token === null) return null;
  const token = p.token;
  const [first, ...rest] = p.controlUrls.map((u) => createProxyControlClient(u, token));
  if (first === undefined) return null;
  // Every proxy fronting the replicas gets the routes; the first gives the public URL.
  const control = fleetControl([first, ...rest]);
  const sync = fleetRouteSync([first, ...rest].map((c) => createRouteSync(c, routes, log)));
  const clients = createRemoteClientCounts(control, clock);
  const poll = () =>
    clients.poll().catch((err: unknown) => {
      log.warn({ err }, 'reading client counts from the proxy failed');
    });
  let timer: NodeJS.Timeout | undefined;
  return {
    sync,
    clients,
    /** Waits for the proxy (up to `start_timeout`), reads its counts, starts the resync timer. */
    async connect(): Promise<ProxyInfo> {
      const deadline = clock.now() + p.startTimeout * 1000;
      for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
        try {
          const info = await control.info();
          await clients.poll();
          timer = setInterval(() => {
            // Only the leader's table holds the routes; a follower's would empty the proxy's.
            if (leading()) void sync.request();
            void poll();
          }, p.syncPeriod * 1000);
          timer.unref();
          log.info({ control: control.url, public_url: info.public_url }, 'external proxy found');
          return info;
        } catch (err) {
          if (clock.now() >= deadline) {
            throw new Error(
              `the proxy's control API at ${control.url} did not answer within ${String(p.startTimeout)} s (is \`gatehouse proxy\` running with the same token?): ${err instanceof Error ? err.message : String(err)}`,
              { cause: err }
            );
          }
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** The separately run proxy's wiring, or null for the in-process proxy. */
export type ExternalProxy = ReturnType<typeof externalProxy>;

/** The routes the reconciler adds and removes: the table, dashboard grants, the external proxy. */
export function createClusterRoutes(
  prefix: string,
  routes: RouteTable,
  grants: Pick<DashboardGrants, 'revokeCluster'>,
  proxy: ExternalProxy
): ClusterRoutes {
  return {
    add(c: ClusterRecord) {
      for (const r of clusterRouteList(c, prefix)) routes.put(r);
      return proxy?.sync.request();
    },
    remove(name: string) {
      grants.revokeCluster(name);
      routes.removeSni(name);
      routes.removePath(`${prefix}/clusters/${name}`);
      return proxy?.sync.request();
    },
  };
}
