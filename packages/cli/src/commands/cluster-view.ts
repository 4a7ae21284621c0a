/**
 * `gatehouse clusters list|show`: the user's clusters with workers running, starting and
 * wanted, cores, memory, profile, age and cost; one cluster in detail; both with `--watch`
 * (redrawn on each event until Ctrl-C) and `--json` for scripts.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { CLUSTER_SORT_KEYS, CLUSTER_STATUSES, type ClusterSortKey } from '@gatehouse/sdk';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import {
  clusterDetails,
  clusterHeaders,
  clusterRow,
  clusterViewForScripts,
} from '../client/cluster-format.js';
import { connect, type CliContext } from '../client/context.js';
import { details, json, table } from '../client/output.js';
import { nonNegativeInt, parseStatusList } from './arguments.js';
import { watch } from './watch.js';

/** A `--sort` value. */
export function sortKey(text: string): ClusterSortKey {
  const found = CLUSTER_SORT_KEYS.find((k) => k === text);
  if (found === undefined)
    throw new InvalidArgumentError(
      `unknown column ${JSON.stringify(text)}; use ${CLUSTER_SORT_KEYS.join(', ')}`
    );
  return found;
}

/** The order opposite to the gateway's default for `sort` (descending for numbers). */
function reversed(sort: ClusterSortKey): 'asc' | 'desc' {
  return sort === 'workers' || sort === 'cores' || sort === 'core_hours' ? 'asc' : 'desc';
}

/** Registers `clusters list` on the `clusters` command. */
export function registerClusterListCommand(clusters: Command, ctx: CliContext): void {
  const { io } = ctx;
  clusters
    .command('list')
    .description(
      'list your clusters: the active ones and those that finished recently, with their reason'
    )
    .option(
      '--status <list>',
      `only these statuses, comma-separated (${CLUSTER_STATUSES.join(',')})`,
      parseStatusList
    )
    .option('--sort <column>', `sort by ${CLUSTER_SORT_KEYS.join(', ')} (default age)`, sortKey)
    .option(
      '--reverse',
      'reverse the order (default: the newest first, the biggest first by numbers)'
    )
    .option('--limit <n>', 'at most n clusters (default 100, at most 500)', nonNegativeInt)
    .option('--watch', 'redraw whenever something changes, until Ctrl-C')
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const fetchPage = () =>
        gw.clusterPage({
          ...(opts.status === undefined ? {} : { status: opts.status }),
          ...(opts.sort === undefined ? {} : { sort: opts.sort }),
          ...(opts.limit === undefined ? {} : { limit: opts.limit }),
          ...(opts.reverse === true ? { order: reversed(opts.sort ?? 'age') } : {}),
        });
      const draw = async () => {
        const { clusters: list, total } = await fetchPage();
        if (opts.json === true)
          return json(list.map((c) => clusterViewForScripts(c, gw.dashboardUrl(c)))).trimEnd();
        const more = total > list.length ? `\n${String(total - list.length)} more not shown.` : '';
        return `${table(
          clusterHeaders(false),
          list.map((c) => clusterRow(c, false)),
          'No clusters. Start one with `gatehouse clusters new`.'
        ).trimEnd()}${more}`;
      };
      if (opts.watch === true) await watch(gw, io, null, draw);
      else io.out(`${await draw()}\n`);
    });
}

/** Registers `clusters show` on the `clusters` command. */
export function registerClusterShowCommand(clusters: Command, ctx: CliContext): void {
  const { io } = ctx;
  clusters
    .command('show')
    .description('show one cluster: status, workers, resources, cost and options')
    .argument('<name>', 'cluster name')
    .option('--watch', 'redraw whenever it changes, until Ctrl-C or it ends')
    .option('--json', 'print JSON for scripts')
    .action(async (name, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const draw = async () => {
        const c = await gw.clusterDetail(name);
        if (opts.json === true) return json(clusterViewForScripts(c, gw.dashboardUrl(c))).trimEnd();
        return details(clusterDetails(c, gw.dashboardUrl(c), Date.now())).trimEnd();
      };
      if (opts.watch === true) await watch(gw, io, name, draw);
      else io.out(`${await draw()}\n`);
    });
}
