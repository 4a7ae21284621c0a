/**
 * Sharing clusters (issue 22, docs/sharing.md): `gatehouse clusters shared` lists the clusters
 * others shared with you (owner and your level), and `gatehouse share grant|revoke|list` lets a
 * cluster's owner share it with a user or group at `use` or `manage`, revoke, and list; all
 * through the SDK's `gateway.shares`.
 * @module
 */
import { InvalidArgumentError, type Command } from '@commander-js/extra-typings';
import type { ShareKind, ShareLevelJson } from '@gatehouse/sdk';
import { clusterHeaders, clusterRow, clusterViewForScripts } from '../client/cluster-format.js';
import { connect, type CliContext } from '../client/context.js';
import { json, table, time } from '../client/output.js';

/** A `--level` value. */
export function shareLevel(text: string): ShareLevelJson {
  if (text === 'use' || text === 'manage') return text;
  throw new InvalidArgumentError(
    `unknown level ${JSON.stringify(text)}; use 'use' (connect, compute, dashboard) or 'manage' (also scale, adapt, stop)`
  );
}

const kindOf = (opts: { group?: true }): ShareKind => (opts.group === true ? 'group' : 'user');

/** Registers `clusters shared` on the `clusters` command. */
export function registerSharedClustersCommand(clusters: Command, ctx: CliContext): void {
  clusters
    .command('shared')
    .description('list the clusters others shared with you, with their owner and your level')
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const list = await gw.shares.sharedWithMe();
      if (opts.json === true) {
        ctx.io.out(json(list.map((c) => clusterViewForScripts(c, gw.dashboardUrl(c)))));
        return;
      }
      ctx.io.out(
        table(
          [...clusterHeaders(true), 'your level'],
          list.map((c) => [...clusterRow(c, true), c.share_level]),
          'Nobody has shared a cluster with you.'
        )
      );
    });
}

/** Registers `share grant|revoke|list` on `program`. */
export function registerShareCommands(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  const share = program
    .command('share')
    .description(
      'share one of your clusters with a user or group (use: connect, compute, dashboard; ' +
        'manage: also scale, adapt, stop), revoke, list'
    );
  share
    .command('grant')
    .description('share a cluster of yours with a user (or, with --group, a group)')
    .argument('<cluster>', 'your cluster: its id or name')
    .argument('<principal>', 'the user (or group) to share it with')
    .option('--group', 'principal is a group')
    .option('--level <level>', "'use' or 'manage' (default use)", shareLevel)
    .option('--json', 'print JSON for scripts')
    .action(async (cluster, principal, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const s = await gw.shares.grant(cluster, kindOf(opts), principal, opts.level ?? 'use');
      if (opts.json === true) io.out(json(s));
      else io.out(`Shared cluster ${s.cluster} with ${s.kind} ${s.principal}: ${s.level}.\n`);
    });
  share
    .command('revoke')
    .description(
      'revoke a share: API and dashboard access end at once; a Dask client already ' +
        'connected keeps its connection until you restart the cluster'
    )
    .argument('<cluster>', 'your cluster: its id or name')
    .argument('<principal>', 'the user (or group) it is shared with')
    .option('--group', 'principal is a group')
    .action(async (cluster, principal, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.shares.revoke(cluster, kindOf(opts), principal);
      io.out(`Revoked the share of ${cluster} with ${kindOf(opts)} ${principal}.\n`);
    });
  share
    .command('list')
    .description('list the shares of a cluster of yours')
    .argument('<cluster>', 'your cluster: its id or name')
    .option('--json', 'print JSON for scripts')
    .action(async (cluster, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const shares = await gw.shares.list(cluster);
      if (opts.json === true) {
        io.out(json(shares));
        return;
      }
      io.out(
        table(
          ['with', 'level', 'granted by', 'granted'],
          shares.map((s) => [
            `${s.kind} ${s.principal}`,
            s.level,
            s.granted_by,
            time(s.granted_at),
          ]),
          `Cluster ${cluster} is not shared with anyone.`
        )
      );
    });
}
