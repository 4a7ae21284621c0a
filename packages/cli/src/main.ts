/**
 * The `gatehouse` command line: `serve`, `config check` and `client-config`.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { Command, CommanderError } from '@commander-js/extra-typings';
import {
  ConfigError,
  GATEWAY_VERSION,
  hashPassword,
  loadConfig,
  startGateway,
  type GatewayConfig,
} from '@gatehouse/server';
import { renderClientConfig } from './client-config.js';
import { PROJECT_PYTHON_ENV } from './paths.js';

function load(file: string | undefined, listen?: string): GatewayConfig {
  return loadConfig({ file, env: process.env, defaultPythonEnv: PROJECT_PYTHON_ENV, listen });
}

async function serve(opts: {
  config?: string | undefined;
  listen?: string | undefined;
  readyFile?: string | undefined;
}) {
  const config = load(opts.config, opts.listen);
  const gateway = await startGateway(config, { env: process.env, isTty: process.stdout.isTTY });
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
  if (config.source === 'embedded defaults') {
    process.stderr.write(
      'Embedded defaults: every authenticated user may use this gateway (at most 3 active clusters each).\n' +
        'For production, write a config file with access.grant_all_authenticated: false (see README).\n'
    );
  }
  if (gateway.bootstrapToken !== null) {
    process.stderr.write(
      `\nAdmin API token (shown once; keep it safe):\n  ${gateway.bootstrapToken}\n` +
        'Use it as "Authorization: Bearer <token>" on /api/v1/admin/... routes.\n\n'
    );
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`received ${signal}; stopping\n`);
      gateway.stop().then(resolve, (err: unknown) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        resolve();
      });
    };
    process.once('SIGINT', () => {
      stop('SIGINT');
    });
    process.once('SIGTERM', () => {
      stop('SIGTERM');
    });
  });
}

/** Runs the CLI with `argv`; resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name('gatehouse')
    .description('Gatehouse: a multi-user Dask Gateway server')
    .version(GATEWAY_VERSION)
    .exitOverride();

  program
    .command('serve')
    .description('start the gateway (API, proxy and cluster backend)')
    .option('-c, --config <file>', 'YAML configuration file (defaults are used without one)')
    .option('--listen <host:port>', 'public address, overriding the config file')
    .option('--ready-file <file>', 'write {"url","port","pid","instance_id"} here once serving')
    .action(async (opts) => {
      await serve(opts);
    });

  const config = program.command('config').description('work with configuration files');
  config
    .command('check')
    .description('validate a configuration file and print any problems')
    .argument('<file>', 'YAML configuration file')
    .action((file: string) => {
      load(file);
      process.stdout.write(`${file}: OK\n`);
    });

  program
    .command('client-config')
    .description('print the dask configuration that makes Gateway() reach this gateway')
    .option('-c, --config <file>', 'YAML configuration file of the gateway')
    .option('--address <url>', 'address clients use, if not the listen address')
    .action((opts) => {
      process.stdout.write(
        renderClientConfig({ config: load(opts.config), address: opts.address })
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
      process.stdout.write(`${hashPassword(password)}\n`);
    });

  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    process.stderr.write(
      `gatehouse: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`
    );
    return 1;
  }
}
