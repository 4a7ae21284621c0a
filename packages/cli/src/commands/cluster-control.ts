/**
 * `gatehouse clusters scale|adapt|stop`: changing a running cluster.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { ScaleResult } from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { json, type Output } from '../client/output.js';
import { nonNegativeInt } from './arguments.js';

/** Prints a scale or adapt answer: the gateway's message when a limit clamped the request. */
function printScale(io: Output, asJson: boolean, result: ScaleResult, what: string): void {
  if (asJson) io.out(json(result));
  else if (result.ok) io.out(`${what}\n`);
  else io.err(`warning: ${result.msg ?? 'the request was clamped'}\n`);
}

/** Registers `clusters scale|adapt|stop` on the `clusters` command. */
export function registerClusterControlCommands(clusters: Command, ctx: CliContext): void {
  const { io } = ctx;
  clusters
    .command('scale')
    .description('ask for n workers')
    .argument('<name>', 'cluster name')
    .argument('<n>', 'number of workers', nonNegativeInt)
    .option('--json', 'print JSON for scripts')
    .action(async (name, n, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      printScale(
        io,
        opts.json === true,
        await gw.scale(name, n),
        `Scaling ${name} to ${String(n)} workers`
      );
    });

  clusters
    .command('adapt')
    .description('scale adaptively between --minimum and --maximum workers (or stop with --off)')
    .argument('<name>', 'cluster name')
    .option('--minimum <n>', 'fewest workers (default 0)', nonNegativeInt)
    .option(
      '--maximum <n>',
      'most workers (default: no limit beyond the gateway limits)',
      nonNegativeInt
    )
    .option('--off', 'turn adaptive scaling off')
    .option('--json', 'print JSON for scripts')
    .action(async (name, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const r = await gw.adapt(name, {
        minimum: opts.minimum ?? 0,
        maximum: opts.maximum ?? null,
        active: opts.off !== true,
      });
      printScale(
        io,
        opts.json === true,
        r,
        opts.off === true ? `Adaptive scaling of ${name} is off` : `Adapting ${name}`
      );
    });

  clusters
    .command('stop')
    .description('stop a cluster')
    .argument('<name>', 'cluster name')
    .action(async (name, _opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.getCluster(name);
      await gw.stopCluster(name);
      io.err(`Stopping ${name}\n`);
    });
}
