/**
 * `gatehouse admin users|grant|revoke`: who may use the gateway, with usage and quota.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { formatBytes, formatCoreHours, formatCores } from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { json, table } from '../client/output.js';
import { limit } from './admin-quota.js';

/** Registers `admin users|grant|revoke` on the `admin` command. */
export function registerAdminUserCommands(admin: Command, ctx: CliContext): void {
  const { io } = ctx;
  admin
    .command('users')
    .description('users with grants, requests or clusters: usage now and quota')
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const users = await gw.admin.users();
      if (opts.json === true) {
        io.out(json(users));
        return;
      }
      io.out(
        table(
          [
            'user',
            'access',
            'groups',
            'clusters',
            'workers',
            'cores',
            'memory',
            'last 30 days',
            'max clusters',
            'request',
          ],
          users.map((u) => [
            u.name,
            u.granted_by ?? 'no',
            u.groups.join(','),
            u.active_clusters,
            u.usage.workers,
            formatCores(u.usage.cores),
            formatBytes(u.usage.memory),
            formatCoreHours(u.core_hours_30d),
            limit(u.quota.max_clusters),
            u.pending_request ? 'pending' : null,
          ]),
          'No users yet.'
        )
      );
    });

  admin
    .command('grant')
    .description('let a user use the gateway')
    .argument('<user>', 'user name')
    .action(async (user, _opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.admin.grant(user);
      io.out(`Granted ${user} access\n`);
    });

  admin
    .command('revoke')
    .description("revoke a user's grant (their running clusters keep running unless asked)")
    .argument('<user>', 'user name')
    .option('--stop-clusters', "also stop the user's active clusters")
    .action(async (user, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.admin.revoke(user, { stopClusters: opts.stopClusters === true });
      io.out(
        `Revoked ${user}'s access${opts.stopClusters === true ? ' and stopped their clusters' : ''}\n`
      );
    });
}
