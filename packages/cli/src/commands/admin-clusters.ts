/**
 * `gatehouse admin clusters list|stop|scale`: every user's clusters.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { connect, type CliContext } from '../client/context.js';
import { clusterHeaders, clusterRow } from '../client/cluster-format.js';
import { json, table } from '../client/output.js';
import { nonNegativeInt, parseStatusList } from './arguments.js';

/** Registers `admin clusters …` on the `admin` command. */
export function registerAdminClusterCommands(admin: Command, ctx: CliContext): void {
  const { io } = ctx;
  const clusters = admin.command('clusters').description("every user's clusters");
  clusters
    .command('list', { isDefault: true })
    .description("list every user's clusters: the active ones and those that finished recently")
    .option('--status <list>', 'comma-separated statuses', parseStatusList)
    .option('--user <user>', "only this user's")
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const list = await gw.admin.clusters({
        ...(opts.status === undefined ? {} : { status: opts.status }),
        ...(opts.user === undefined ? {} : { user: opts.user }),
      });
      if (opts.json === true) {
        io.out(json(list));
        return;
      }
      io.out(
        table(
          clusterHeaders(true),
          list.map((c) => clusterRow(c, true)),
          'No clusters.'
        )
      );
    });
  clusters
    .command('stop')
    .description("stop any user's cluster")
    .argument('<name>', 'cluster name')
    .action(async (name, _opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.admin.stopCluster(name);
      io.out(`Stopping ${name}\n`);
    });
  clusters
    .command('scale')
    .description("scale any user's cluster")
    .argument('<name>', 'cluster name')
    .argument('<n>', 'number of workers', nonNegativeInt)
    .option('--json', 'print JSON for scripts')
    .action(async (name, n, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const r = await gw.admin.scaleCluster(name, n);
      if (opts.json === true) io.out(json(r));
      else if (r.ok) io.out(`Scaling ${name} to ${String(n)} workers\n`);
      else io.err(`warning: ${r.msg ?? 'the request was clamped'}\n`);
    });
}
