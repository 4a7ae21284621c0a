/**
 * Registers the database commands: `db migrate`, `db check` and `db copy`. Their work lives
 * in `db-actions.ts`, imported only when one of them runs (it loads the server package).
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../client/context.js';

/** The database actions, loaded on first use. */
const actions = () => import('./db-actions.js');

/** Registers `gatehouse db …` on `program`. */
export function registerDbCommands(program: Command, ctx: CliContext): void {
  const db = program
    .command('db')
    .description("work with the gateway's database (SQLite or PostgreSQL)");
  db.command('migrate')
    .description(
      'apply pending schema migrations (safe while other gateways start: they take turns)'
    )
    .option('-c, --config <file>', 'YAML configuration file of the gateway')
    .action(async (opts) => {
      await (await actions()).migrate(ctx, opts.config);
    });
  db.command('check')
    .description(
      'say which migrations are pending and whether the sealing key opens the stored secrets (changes nothing)'
    )
    .option('-c, --config <file>', 'YAML configuration file of the gateway')
    .option('--json', 'print the result as JSON')
    .action(async (opts) => {
      await (await actions()).check(ctx, opts.config, opts.json === true);
    });
  db.command('copy')
    .description(
      'copy an installation to another database (stop the gateway first; clusters may keep running)'
    )
    .requiredOption('--from <url>', 'the source: sqlite:PATH (or a postgresql:// URL)')
    .requiredOption('--to <url>', 'the target: postgresql://user@host[:port]/database')
    .option('--to-password-file <file>', "a file holding the target user's password")
    .option('--force', 'replace the rows of a target that is not empty')
    .action(async (opts) => {
      await (await actions()).copy(ctx, opts);
    });
}
