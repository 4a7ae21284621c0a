/**
 * Chooses and builds the local backend's network isolation from `backend.network_isolation`:
 * the nftables loopback firewall when requested or (with `auto`) when this machine can run it,
 * otherwise none, with the warning the start banner and the log show.
 * @module
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Logger } from 'pino';
import { createLoopbackFirewall, type LoopbackFirewall } from './loopback-firewall.js';
import { tableName, type Endpoint } from './nft-ruleset.js';

/** The configured choice. */
export type NetworkIsolationSetting = 'auto' | 'nftables' | 'none';

/** What was chosen. */
export interface NetworkIsolation {
  /** The firewall (its API endpoints set later by {@link startNetworkFirewall}), or null. */
  readonly firewall: LoopbackFirewall | null;
  /** Why cluster ports are open to every local user, or null when they are not. */
  readonly warning: string | null;
}

/**
 * Decides the mode and builds the firewall. Throws when nftables is requested and cannot run,
 * so the gateway refuses to start; `auto` falls back to none with a warning. The table is
 * deleted at shutdown only when `deleteOnClose` (no cluster outlives the gateway).
 */
export async function chooseNetworkIsolation(opts: {
  setting: NetworkIsolationSetting;
  instanceId: string;
  log: Logger;
  deleteOnClose: boolean;
  /** The nft command (tests: one that is missing). */
  nft?: readonly string[];
}): Promise<NetworkIsolation> {
  if (opts.setting === 'none') {
    return { firewall: null, warning: 'backend.network_isolation is none' };
  }
  const firewall = createLoopbackFirewall({
    spec: { table: tableName(opts.instanceId), api: [], allowDns: true },
    log: opts.log,
    deleteOnClose: opts.deleteOnClose,
    ...(opts.nft === undefined ? {} : { nft: opts.nft }),
  });
  const can = await firewall.available();
  if (can.ok) return { firewall, warning: null };
  if (opts.setting === 'nftables') {
    throw new Error(
      `backend.network_isolation is nftables, but the loopback firewall cannot run: ${can.reason}` +
        ' (it needs root and the nft command: apt-get install nftables)'
    );
  }
  return { firewall: null, warning: `no loopback firewall: ${can.reason}` };
}

/** The addresses and port the API URL reaches (a name is resolved; a wildcard means loopback). */
export async function apiEndpoints(apiUrl: string): Promise<Endpoint[]> {
  const u = new URL(apiUrl);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : Number(u.port);
  const addresses =
    isIP(host) !== 0 ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  const out = new Set(addresses);
  if (out.has('0.0.0.0')) out.add('127.0.0.1');
  if (out.has('::')) out.add('::1');
  return [...out].map((address) => ({ address, port }));
}

/**
 * Once the gateway listens: lets clusters reach `apiUrl`, then rewrites the table from the
 * clusters it knows every `periodSeconds` (0: never). Resolves to what stops the timer.
 */
export async function startNetworkFirewall(
  firewall: LoopbackFirewall,
  apiUrl: string,
  periodSeconds: number,
  log: Logger
): Promise<() => void> {
  await firewall.setApi(await apiEndpoints(apiUrl));
  if (periodSeconds <= 0) return () => undefined;
  const timer = setInterval(() => {
    firewall.resync().catch((err: unknown) => {
      log.error({ err, table: firewall.table }, 'rewriting the loopback firewall failed');
    });
  }, periodSeconds * 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
