/**
 * Renders the dask configuration that makes a bare `Gateway()` reach this gateway.
 * @module
 */
import type { GatewayConfig } from '@gatehouse/server';

/** Inputs for the client configuration. */
export interface ClientConfigInputs {
  readonly config: GatewayConfig;
  /** Overrides the address derived from the config (e.g. a public host name). */
  readonly address?: string | undefined;
}

function hostFor(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** YAML for `~/.config/dask/gateway.yaml` (or any file on DASK_CONFIG). */
export function renderClientConfig(i: ClientConfigInputs): string {
  const { listen, prefix } = i.config;
  const hostPort = `${hostFor(listen.host)}:${String(listen.port)}`;
  const address = i.address ?? `http://${hostPort}${prefix}`;
  const publicAddress = i.config.publicUrl ?? address;
  const proxyHost = new URL(address).host || hostPort;
  return [
    '# dask configuration for Gatehouse: save as ~/.config/dask/gateway.yaml',
    'gateway:',
    `  address: ${JSON.stringify(address)}`,
    `  public-address: ${JSON.stringify(publicAddress)}`,
    `  proxy-address: ${JSON.stringify(`gateway://${proxyHost}`)}`,
    '  auth:',
    `    type: ${i.config.auth.type}`,
    '',
  ].join('\n');
}
