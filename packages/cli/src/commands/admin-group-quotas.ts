/**
 * `gatehouse admin group-quotas` and `gatehouse admin group-quota GROUP`: every group's quota
 * and where it comes from (the config file or an admin's override), and setting (`--max-…`) or
 * clearing (`--clear`, back to the config's) a group's override.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { formatBytes, type GroupQuotaJson } from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { json, table, type Cell } from '../client/output.js';
import { limit, quotaUpdateOf, withQuotaOptions } from './admin-quota.js';

/** A group setting for people: `-` when the group does not set it. */
function setting(v: number | null | undefined, fmt?: (n: number) => string): Cell {
  return v === undefined ? null : limit(v, fmt);
}

/** The table of `groups`. */
function groupTable(groups: readonly GroupQuotaJson[]): string {
  return table(
    ['group', 'from', 'max clusters', 'max workers', 'max cores', 'max memory'],
    groups.map((g) => [
      g.group,
      g.source ?? 'default',
      setting(g.quota.max_clusters),
      setting(g.quota.max_workers),
      setting(g.quota.max_cores),
      setting(g.quota.max_memory, formatBytes),
    ]),
    'No groups are known.'
  );
}

/** Registers `admin group-quotas` and `admin group-quota` on the `admin` command. */
export function registerAdminGroupQuotaCommands(admin: Command, ctx: CliContext): void {
  const { io } = ctx;
  admin
    .command('group-quotas')
    .description('list the quota of every known group and where it comes from')
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const groups = await gw.admin.groupQuotas();
      io.out(opts.json === true ? json(groups) : groupTable(groups));
    });
  const one = admin
    .command('group-quota')
    .description("set (--max-…) or clear (--clear) an override of a group's quota")
    .argument('<group>', 'group name')
    .option('--clear', "remove the override: the config's settings apply again");
  withQuotaOptions(one, ' per member')
    .option('--json', 'print JSON for scripts')
    .action(async (group, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const update = quotaUpdateOf(opts);
      if (opts.clear === true) await gw.admin.clearGroupQuota(group);
      if (Object.keys(update).length > 0) await gw.admin.setGroupQuota(group, update);
      const g = (await gw.admin.groupQuotas()).filter((x) => x.group === group);
      io.out(opts.json === true ? json(g[0] ?? null) : groupTable(g));
    });
}
