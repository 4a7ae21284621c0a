/**
 * `gatehouse admin usage|audit`: core-hours per user and day, and the audit log.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { formatCoreHours, formatCount } from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { json, table, time } from '../client/output.js';
import { nonNegativeInt } from './arguments.js';

/** Registers `admin usage|audit` on the `admin` command. */
export function registerAdminReportCommands(admin: Command, ctx: CliContext): void {
  const { io } = ctx;
  admin
    .command('usage')
    .description('core-hours and memory-GiB-hours per user per UTC day')
    .option('--days <n>', 'how many days back (default 7)', nonNegativeInt)
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const rows = await gw.admin.usage(opts.days === undefined ? {} : { days: opts.days });
      if (opts.json === true) {
        io.out(json(rows));
        return;
      }
      io.out(
        table(
          ['day', 'user', 'cores', 'memory'],
          rows.map((r) => [
            r.day,
            r.username,
            formatCoreHours(r.core_hours),
            formatCount(Number(r.memory_gib_hours.toPrecision(3)), 'GiB-hour'),
          ]),
          'No usage in this period.'
        )
      );
    });

  admin
    .command('audit')
    .description('the latest admin actions and refusals')
    .option('--limit <n>', 'entries (default 200)', nonNegativeInt)
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const rows = await gw.admin.audit(opts.limit === undefined ? {} : { limit: opts.limit });
      if (opts.json === true) {
        io.out(json(rows));
        return;
      }
      io.out(
        table(
          ['time', 'actor', 'action', 'target', 'outcome', 'detail'],
          rows.map((r) => [time(r.time), r.actor, r.action, r.target, r.outcome, r.detail]),
          'The audit log is empty.'
        )
      );
    });
}
