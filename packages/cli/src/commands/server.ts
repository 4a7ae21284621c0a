/**
 * The server-side commands: `serve`, `proxy`, `config check`, `client-config` and
 * `hash-password`.
 * @module
 */
import { writeFileSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
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

/** Loads the config and prints its warnings (risky but allowed settings) to stderr. */
function load(env: Env, file: string | undefined, listen?: string): GatewayConfig {
  const config = loadConfig({ file, env, defaultPythonEnv: PROJECT_PYTHON_ENV, listen });
  for (const w of adminPasswordWarnings(config)) process.stderr.write(`warning: ${w}\n`);
  return config;
}

async function serve(
  env: Env,
  opts: {
    config?: string | undefined;
    listen?: string | undefined;
    readyFile?: string | undefined;
  }
) {
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

async function proxy(
  env: Env,
  opts: {
    config?: string | undefined;
    listen?: string | undefined;
    readyFile?: string | undefined;
  }
) {
  const config = load(env, opts.config, opts.listen);
  const p = await startProxy(config);
  if (opts.readyFile !== undefined) {
    writeFileSync(
      opts.readyFile,
      JSON.stringify({ url: p.url, control_url: p.controlUrl, pid: process.pid })
    );
  }
  process.stderr.write(
    `Gatehouse proxy ${GATEWAY_VERSION} is serving on ${p.url} (control API on ${p.controlUrl}, API forwarded to ${config.proxy.gatewayUrl})\n`
  );
  await untilSignal(() => p.stop());
}

/** Registers the server-side commands on `program`. */
export function registerServerCommands(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('start the gateway (API, proxy and cluster backend)')
    .option('-c, --config <file>', 'YAML configuration file (defaults are used without one)')
    .option('--listen <host:port>', 'public address, overriding the config file')
    .option('--ready-file <file>', 'write {"url","port","pid","instance_id"} here once serving')
    .action(async (opts) => {
      await serve(ctx.env, opts);
    });

  program
    .command('proxy')
    .description(
      'run the public port as its own process (proxy.mode: external), holding client connections while the gateway restarts'
    )
    .option('-c, --config <file>', "YAML configuration file (the gateway's; its proxy keys apply)")
    .option('--listen <host:port>', 'public address, overriding the config file')
    .option('--ready-file <file>', 'write {"url","control_url","pid"} here once serving')
    .action(async (opts) => {
      await proxy(ctx.env, opts);
    });

  const config = program.command('config').description('work with configuration files');
  config
    .command('check')
    .description('validate a configuration file and print any problems')
    .argument('<file>', 'YAML configuration file')
    .action((file: string) => {
      load(ctx.env, file);
      process.stdout.write(`${file}: OK\n`);
    });

  program
    .command('client-config')
    .description('print the dask configuration that makes Gateway() reach this gateway')
    .option('-c, --config <file>', 'YAML configuration file of the gateway')
    .option('--address <url>', 'address clients use, if not the listen address')
    .action((opts) => {
      process.stdout.write(
        renderClientConfig({ config: load(ctx.env, opts.config), address: opts.address })
      );
    });

  program
    .command('hash-password')
    .description('read a password on standard input and print its hash for auth.users')
    .action(async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
      const password = Buffer.concat(chunks)
        .toString('utf8')
        .replace(/\r?\n$/, '');
      if (password === '') throw new Error('no password on standard input');
      process.stdout.write(`${await hashPassword(password)}\n`);
    });
}
