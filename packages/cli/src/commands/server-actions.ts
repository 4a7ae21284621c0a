/**
 * What the server-side commands do: `serve`, `proxy`, `config check`, `client-config` and
 * `hash-password`. This is the only CLI module that loads `@gatehouse/server` (and with it
 * Fastify, SQLite and the backends); `server.ts` imports it only when one of these commands
 * runs, so client commands start without it.
 * @module
 */
import { writeFileSync } from 'node:fs';
import {
  GATEWAY_VERSION,
  adminPasswordWarnings,
  hashPassword,
  loadConfig,
  startGateway,
  startProxy,
  type GatewayConfig,
} from '@gatehouse/server';
import type { CliContext } from '../client/context.js';
import { renderClientConfig } from '../client-config.js';
import {
  bootstrapTokenNotice,
  checkEmbeddedListen,
  embeddedBanner,
  isEmbeddedDefault,
} from './serve-banner.js';
import { PROJECT_PYTHON_ENV } from '../paths.js';

type Env = CliContext['env'];

/** The flags `serve` and `proxy` share. */
export interface ServeOptions {
  readonly config?: string | undefined;
  readonly listen?: string | undefined;
  readonly readyFile?: string | undefined;
}

/** Loads the config and prints its warnings (risky but allowed settings) to stderr. */
function load(env: Env, file: string | undefined, listen?: string): GatewayConfig {
  const config = loadConfig({ file, env, defaultPythonEnv: PROJECT_PYTHON_ENV, listen });
  for (const w of adminPasswordWarnings(config)) process.stderr.write(`warning: ${w}\n`);
  return config;
}

/** `gatehouse serve`: runs the gateway until SIGINT or SIGTERM. */
export async function serve(env: Env, opts: ServeOptions) {
  const config = load(env, opts.config, opts.listen);
  checkEmbeddedListen(config);
  const gateway = await startGateway(config, { env, isTty: process.stdout.isTTY });
  if (opts.readyFile !== undefined) {
    writeFileSync(
      opts.readyFile,
      JSON.stringify({
        url: gateway.url,
        port: gateway.port,
        pid: process.pid,
        instance_id: gateway.instanceId,
      })
    );
  }
  process.stderr.write(`Gatehouse ${GATEWAY_VERSION} is serving on ${gateway.url}\n`);
  if (isEmbeddedDefault(config))
    process.stderr.write(embeddedBanner(gateway.url, gateway.isolated));
  if (gateway.networkWarning !== null) {
    process.stderr.write(
      `The network is not isolated: any local user can connect to every cluster's ports (${gateway.networkWarning}; see docs/security.md).\n`
    );
  }
  if (gateway.bootstrapToken !== null) {
    process.stderr.write(
      bootstrapTokenNotice(config, gateway.bootstrapToken, process.stderr.isTTY)
    );
  }
  await untilSignal(() => gateway.stop());
}

/** Resolves after SIGINT or SIGTERM has run `stop` (once). */
function untilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`received ${signal}; stopping\n`);
      stop().then(resolve, (err: unknown) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        resolve();
      });
    };
    process.once('SIGINT', () => {
      onSignal('SIGINT');
    });
    process.once('SIGTERM', () => {
      onSignal('SIGTERM');
    });
  });
}

/** `gatehouse proxy`: runs the public port alone until SIGINT or SIGTERM. */
export async function proxy(env: Env, opts: ServeOptions) {
  const config = load(env, opts.config, opts.listen);
  const p = await startProxy(config);
  if (opts.readyFile !== undefined) {
    writeFileSync(
      opts.readyFile,
      JSON.stringify({ url: p.url, control_url: p.controlUrl, pid: process.pid })
    );
  }
  process.stderr.write(
    `Gatehouse proxy ${GATEWAY_VERSION} is serving on ${p.url} (control API on ${p.controlUrl}, API forwarded to ${config.proxy.gatewayUrls.join(', ')})\n`
  );
  await untilSignal(() => p.stop());
}

/** `gatehouse config check FILE`: prints OK, or throws the config error naming each key. */
export function checkConfig(env: Env, file: string): void {
  load(env, file);
  process.stdout.write(`${file}: OK\n`);
}

/** `gatehouse client-config`: prints the dask configuration for a bare `Gateway()`. */
export function printClientConfig(env: Env, file: string | undefined, address?: string): void {
  process.stdout.write(renderClientConfig({ config: load(env, file), address }));
}

/** `gatehouse hash-password`: hashes the password read on standard input. */
export async function printPasswordHash(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (password === '') throw new Error('no password on standard input');
  process.stdout.write(`${await hashPassword(password)}\n`);
}
