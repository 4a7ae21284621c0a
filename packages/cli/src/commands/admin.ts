/**
 * `gatehouse admin users|grant|revoke|requests|approve|deny|quota|tokens|clusters|usage|audit`:
 * the admin API (docs/access.md) through the SDK, one module per group of subcommands.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../client/context.js';
import { registerAdminClusterCommands } from './admin-clusters.js';
import { registerAdminBudgetCommand } from './budget.js';
import { registerAdminQueueCommands } from './admin-queue.js';
import { registerAdminGroupQuotaCommands } from './admin-group-quotas.js';
import { registerAdminQuotaCommand } from './admin-quota.js';
import { registerAdminReportCommands } from './admin-reports.js';
import { registerAdminRequestCommands } from './admin-requests.js';
import { registerAdminTokenCommands } from './admin-tokens.js';
import { registerAdminUserCommands } from './admin-users.js';

/** Registers `admin …` on `program`. */
export function registerAdminCommands(program: Command, ctx: CliContext): void {
  const admin = program
    .command('admin')
    .description('administer the gateway (needs an admin account or admin API token)');
  registerAdminUserCommands(admin, ctx);
  registerAdminRequestCommands(admin, ctx);
  registerAdminQuotaCommand(admin, ctx);
  registerAdminGroupQuotaCommands(admin, ctx);
  registerAdminTokenCommands(admin, ctx);
  registerAdminClusterCommands(admin, ctx);
  registerAdminReportCommands(admin, ctx);
  registerAdminBudgetCommand(admin, ctx);
  registerAdminQueueCommands(admin, ctx);
}
