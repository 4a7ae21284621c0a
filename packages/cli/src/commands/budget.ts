/**
 * `gatehouse budget`: the caller's core-hour budget this period; `gatehouse admin budget USER`:
 * anyone's, and granting extra hours (`--grant HOURS`).
 * @module
 */
import { InvalidArgumentError, type Command } from '@commander-js/extra-typings';
import { type BudgetJson } from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { details, json } from '../client/output.js';

/** Core-hours for people, more precise than the usual two decimals for small budgets. */
const hours = (h: number | null): string =>
  h === null ? 'no budget' : `${String(Number(h.toPrecision(3)))} core-hours`;

/** The budget as `details` lines. */
export function budgetDetails(b: BudgetJson): string {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return details([
    ['user', b.username],
    ['period', `${b.period} ${day(b.period_start)} .. ${day(b.period_end - 1)} (UTC)`],
    ['budget', hours(b.budget_core_hours)],
    ['extra granted', hours(b.extra_core_hours)],
    ['used', hours(b.used_core_hours)],
    ['left', hours(b.left_core_hours)],
    [
      'state',
      b.state === 'none'
        ? 'no budget applies'
        : b.state === 'warning'
          ? `warning: over ${String(Math.round(b.warn_at * 100))}% used`
          : b.state === 'exhausted'
            ? 'used up: new clusters and scale-ups are refused'
            : 'ok',
    ],
  ]);
}

/** A positive number of hours. */
function positiveHours(text: string): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new InvalidArgumentError(`expected hours > 0, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** Registers `budget` on `program`. */
export function registerBudgetCommand(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  program
    .command('budget')
    .description('show your core-hour budget this period: used and left')
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const b = await gw.budget();
      io.out(opts.json === true ? json(b) : budgetDetails(b));
    });
}

/** Registers `budget` on the `admin` command. */
export function registerAdminBudgetCommand(admin: Command, ctx: CliContext): void {
  const { io } = ctx;
  admin
    .command('budget')
    .description("show a user's core-hour budget, or grant extra hours this period (--grant)")
    .argument('<user>', 'user name')
    .option('--grant <hours>', 'extra core-hours for the current period', positiveHours)
    .option('--note <text>', 'why the hours were granted (audited)')
    .option('--json', 'print JSON for scripts')
    .action(async (user, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      if (opts.grant !== undefined) await gw.admin.grantHours(user, opts.grant, opts.note);
      const b = await gw.admin.budget(user);
      if (opts.json === true) {
        io.out(json(b));
        return;
      }
      io.out(budgetDetails(b.budget));
      for (const g of b.grants) {
        const when = new Date(g.granted_at).toISOString();
        io.out(
          `granted ${hours(g.hours)} by ${g.granted_by} at ${when}${g.note ? `: ${g.note}` : ''}\n`
        );
      }
    });
}
