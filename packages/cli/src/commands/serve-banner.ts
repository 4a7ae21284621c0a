/**
 * What `gatehouse serve` tells the operator at start: for the embedded default (no config
 * file), that it is a single-user gateway and how to connect; and where the bootstrap admin
 * token went. The token is printed only by the embedded default on a terminal; otherwise it is
 * written to `<data_dir>/bootstrap-admin-token` (0600) and only that path is printed, so the
 * token never lands in a service's log.
 * @module
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { ConfigError, type GatewayConfig } from '@gatehouse/server';

/** The config source name of the embedded default. */
const EMBEDDED = 'embedded defaults';

/** File name of the bootstrap admin token in the data directory. */
export const BOOTSTRAP_TOKEN_FILE = 'bootstrap-admin-token';

/** Whether `config` is the embedded default (no config file). */
export function isEmbeddedDefault(config: GatewayConfig): boolean {
  return config.source === EMBEDDED;
}

/** Whether `host` can only be reached from this machine. */
export function isLoopback(host: string): boolean {
  return /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === 'localhost';
}

/**
 * Refuses to serve the embedded default on an address other machines can reach: it lets any
 * name in with any password.
 * @throws ConfigError with the reason and what to do instead.
 */
export function checkEmbeddedListen(config: GatewayConfig): void {
  if (!isEmbeddedDefault(config) || isLoopback(config.listen.host)) return;
  throw new ConfigError('--listen', [
    `--listen: refusing ${config.listen.host}. Without a config file Gatehouse is a single-user ` +
      'gateway that accepts any user name with any password, so it only listens on 127.0.0.1. ' +
      'To serve other machines, write a config file with per-user passwords or JupyterHub ' +
      '(see docs/security.md) and run: gatehouse serve -c <file>',
  ]);
}

/**
 * The embedded default's banner: single-user, whether clusters are isolated (each under a uid
 * of its own when the gateway runs as root), loopback, how to connect.
 */
export function embeddedBanner(url: string, isolated = false): string {
  const user = userInfo().username;
  return [
    '',
    'This is the embedded default: a SINGLE-USER gateway for you on this machine.',
    '  - Any user name with any password logs in (there are no accounts).',
    isolated
      ? '  - Each cluster runs under a uid of its own (the gateway runs as root).'
      : `  - Clusters are not isolated from each other: every scheduler and worker runs as ${user}.`,
    '  - It listens on 127.0.0.1 only; other machines cannot reach it.',
    'Connect:',
    `  Python:  from dask_gateway import Gateway; gateway = Gateway("${url}")`,
    `  Web UI:  ${url}/ui/`,
    '  Config:  gatehouse client-config > ~/.config/dask/gateway.yaml  (then a bare Gateway())',
    'For several users, write a config file (README "Production", docs/security.md).',
    '',
  ].join('\n');
}

/**
 * Hands the bootstrap admin token over: printed (returned as text) for the embedded default on
 * a terminal, else written to a 0600 file in the data directory whose path the text names.
 */
export function bootstrapTokenNotice(
  config: GatewayConfig,
  token: string,
  onTerminal: boolean
): string {
  const use = 'Use it as "Authorization: Bearer <token>" on /api/v1/admin/... routes.';
  if (isEmbeddedDefault(config) && onTerminal) {
    return `\nAdmin API token (shown once; keep it safe):\n  ${token}\n${use}\n\n`;
  }
  const file = path.join(config.dataDir, BOOTSTRAP_TOKEN_FILE);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // in case an older file was there with another mode
  return `\nAdmin API token written to ${file} (mode 0600; read it once, then delete the file).\n${use}\n\n`;
}
