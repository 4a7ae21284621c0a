/**
 * `host:port` listen addresses: parsing them from the config, and printing them for URLs.
 * @module
 */
import { ConfigError } from './config-error.js';

/** A host and port to listen on. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port` (port 0 allowed); throws a message naming the key on error. */
export function parseListen(value: string, key = 'listen', source = key): ListenAddress {
  const m = /^(.*):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) {
    throw new ConfigError(source, [`${key}: expected host:port, got ${JSON.stringify(value)}`]);
  }
  const host = (m[1] ?? '').replace(/^\[(.*)\]$/, '$1');
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** `host:port` to connect to for a listen address (a wildcard host becomes the loopback). */
export function hostPort(a: ListenAddress): string {
  const host = a.host === '0.0.0.0' || a.host === '::' ? '127.0.0.1' : a.host;
  return `${host.includes(':') ? `[${host}]` : host}:${String(a.port)}`;
}
