/**
 * Resolves the `proxy` section: addresses parsed, URLs derived and the control token read.
 * @module
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GatewayConfigInput } from './schema.js';
import { ConfigError } from './config-error.js';
import { hostPort, parseListen, type ListenAddress } from './listen-address.js';

/** Proxy settings with addresses parsed and the token read. */
export interface ResolvedProxy {
  readonly mode: 'inprocess' | 'external';
  /** Private address of the gateway's API with an external proxy. */
  readonly apiListen: ListenAddress;
  /** Where the external proxy forwards API requests (the default of `gatewayUrls`). */
  readonly gatewayUrl: string;
  /** Every replica's private API URL (`gateway_urls`); the first is `gatewayUrl`. */
  readonly gatewayUrls: readonly string[];
  /** How long the proxy holds a request while no replica leads (milliseconds). */
  readonly holdMs: number;
  /** Period of the proxy's health checks of its upstreams (milliseconds). */
  readonly healthPeriodMs: number;
  readonly controlListen: ListenAddress;
  /** The first of `controlUrls`. */
  readonly controlUrl: string;
  /** Every proxy's control API URL (`control_urls`). */
  readonly controlUrls: readonly string[];
  /** The control API's token; null when none is configured (then mode is inprocess). */
  readonly token: string | null;
  readonly syncPeriod: number;
  readonly startTimeout: number;
  /** Domain of the per-cluster dashboard hosts; null for automatic `dashboards.localhost`. */
  readonly dashboardDomain: string | null;
}

const trim = (u: string) => u.replace(/\/+$/, '');

/** The `proxy` section resolved; relative paths against `base` (`leaseSeconds`: the store's). */
export function resolveProxy(
  p: GatewayConfigInput['proxy'],
  leaseSeconds: number,
  env: Readonly<Record<string, string | undefined>>,
  base: string,
  source: string
): ResolvedProxy {
  const problems: string[] = [];
  let token = p.token;
  if (token === null && p.token_file !== null) {
    const file = path.resolve(base, p.token_file);
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (err) {
      problems.push(
        `proxy.token_file: cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`
      );
    }
  }
  token ??= env['GATEHOUSE_PROXY_TOKEN'] ?? null;
  if (token !== null && token.length < 16) {
    problems.push('proxy.token: must have at least 16 characters');
  }
  if (p.mode === 'external' && token === null && problems.length === 0) {
    problems.push(
      'proxy.token: mode external needs the control API token (proxy.token, proxy.token_file or GATEHOUSE_PROXY_TOKEN)'
    );
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  const apiListen = parseListen(p.api_listen, 'proxy.api_listen', source);
  const controlListen = parseListen(p.control_listen, 'proxy.control_listen', source);
  const gatewayUrls = (p.gateway_urls ?? [p.gateway_url ?? `http://${hostPort(apiListen)}`]).map(
    trim
  );
  const controlUrls = (
    p.control_urls ?? [p.control_url ?? `http://${hostPort(controlListen)}`]
  ).map(trim);
  return {
    mode: p.mode,
    apiListen,
    gatewayUrl: gatewayUrls[0] ?? '',
    gatewayUrls,
    // One gateway: a prompt 503 while it restarts, as before; several: held through a takeover.
    holdMs: Math.round((p.hold_seconds ?? (gatewayUrls.length > 1 ? 2 * leaseSeconds : 0)) * 1000),
    healthPeriodMs: Math.round(p.health_period * 1000),
    controlListen,
    controlUrl: controlUrls[0] ?? '',
    controlUrls,
    token,
    syncPeriod: p.sync_period,
    startTimeout: p.start_timeout,
    dashboardDomain: p.dashboard_domain?.toLowerCase() ?? null,
  };
}
