/**
 * `gatehouse clusters list|show`: the user's clusters, and one cluster in detail.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { CLUSTER_STATUSES } from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { age, clusterForScripts, details, json, table, time } from '../client/output.js';
import { parseStatusList } from './arguments.js';

/** Registers `clusters list` on the `clusters` command. */
export function registerClusterListCommand(clusters: Command, ctx: CliContext): void {
  const { io } = ctx;
  clusters
    .command('list')
    .description('list your clusters (the active ones unless --status says otherwise)')
    .option(
      '--status <list>',
      `comma-separated statuses (${CLUSTER_STATUSES.join(',')})`,
      parseStatusList
    )
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const list = await gw.listClusters(opts.status === undefined ? {} : { status: opts.status });
      if (opts.json === true) {
        io.out(json(list.map((c) => clusterForScripts(c, gw.dashboardUrl(c)))));
        return;
      }
      const now = Date.now();
      io.out(
        table(
          ['name', 'status', 'age', 'dashboard'],
          list.map((c) => [
            c.name,
            c.status,
            age(((c.stop_time ?? now) - c.start_time) / 1000),
            gw.dashboardUrl(c),
          ]),
          'No clusters. Start one with `gatehouse clusters new`.'
        )
      );
    });
}

/** Registers `clusters show` on the `clusters` command. */
export function registerClusterShowCommand(clusters: Command, ctx: CliContext): void {
  const { io } = ctx;
  clusters
    .command('show')
    .description('show one cluster')
    .argument('<name>', 'cluster name')
    .option('--json', 'print JSON for scripts')
    .action(async (name, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const c = await gw.getCluster(name);
      if (opts.json === true) {
        io.out(json(clusterForScripts(c, gw.dashboardUrl(c))));
        return;
      }
      io.out(
        details([
          ['name', c.name],
          ['status', c.status],
          ['started', time(c.start_time)],
          ['stopped', time(c.stop_time)],
          ['dashboard', gw.dashboardUrl(c)],
          ...Object.entries(c.options).map(([k, v]) => [`option ${k}`, JSON.stringify(v)] as const),
        ])
      );
    });
}
