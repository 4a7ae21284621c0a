/**
 * Registers the server-side commands: `serve`, `proxy`, `config check`, `client-config` and
 * `hash-password`. Their work lives in `server-actions.ts`, imported only when one of them
 * runs, so that client commands never load the server package.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../client/context.js';

/** The server-side actions, loaded on first use. */
const actions = () => import('./server-actions.js');

/** Registers the server-side commands on `program`. */
export function registerServerCommands(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('start the gateway (API, proxy and cluster backend)')
    .option('-c, --config <file>', 'YAML configuration file (defaults are used without one)')
    .option('--listen <host:port>', 'public address, overriding the config file')
    .option('--ready-file <file>', 'write {"url","port","pid","instance_id"} here once serving')
    .action(async (opts) => {
      await (await actions()).serve(ctx.env, opts);
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
      await (await actions()).proxy(ctx.env, opts);
    });

  const config = program.command('config').description('work with configuration files');
  config
    .command('check')
    .description('validate a configuration file and print any problems')
    .argument('<file>', 'YAML configuration file')
    .action(async (file: string) => {
      (await actions()).checkConfig(ctx.env, file);
    });

  program
    .command('client-config')
    .description('print the dask configuration that makes Gateway() reach this gateway')
    .option('-c, --config <file>', 'YAML configuration file of the gateway')
    .option('--address <url>', 'address clients use, if not the listen address')
    .action(async (opts) => {
      (await actions()).printClientConfig(ctx.env, opts.config, opts.address);
    });

  program
    .command('hash-password')
    .description('read a password on standard input and print its hash for auth.users')
    .action(async () => {
      await (await actions()).printPasswordHash();
    });
}
