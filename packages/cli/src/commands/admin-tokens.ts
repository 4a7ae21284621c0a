/**
 * `gatehouse admin tokens list|issue|revoke`: API tokens.
 * @module
 */
import type { Command } from '@commander-js/extra-typings';
import { connect, type CliContext } from '../client/context.js';
import { json, table, time } from '../client/output.js';

/** Registers `admin tokens …` on the `admin` command. */
export function registerAdminTokenCommands(admin: Command, ctx: CliContext): void {
  const { io } = ctx;
  const tokens = admin.command('tokens').description('API tokens');
  tokens
    .command('list', { isDefault: true })
    .description('list API tokens (never their secrets)')
    .option('--user <user>', "only this user's")
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const list = await gw.admin.tokens(opts.user === undefined ? {} : { user: opts.user });
      if (opts.json === true) {
        io.out(json(list));
        return;
      }
      io.out(
        table(
          ['id', 'user', 'admin', 'label', 'created by', 'created', 'revoked'],
          list.map((t) => [
            t.id,
            t.username,
            t.admin,
            t.label,
            t.created_by,
            time(t.created_at),
            time(t.revoked_at),
          ]),
          'No API tokens.'
        )
      );
    });
  tokens
    .command('issue')
    .description('issue an API token for a user (the secret is shown once)')
    .argument('<user>', 'user name')
    .option('--label <text>', 'what it is for', '')
    .option('--admin', 'an admin token')
    .option('--json', 'print JSON for scripts')
    .action(async (user, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const t = await gw.admin.issueToken(user, { label: opts.label, admin: opts.admin === true });
      if (opts.json === true) {
        io.out(json(t));
        return;
      }
      io.out(`${t.token}\n`);
      io.err(
        `Token ${t.info.id} for ${user}${t.info.admin ? ' (admin)' : ''}; shown once, keep it safe.\n` +
          'Use it with --token, GATEHOUSE_TOKEN or `gatehouse login --token`.\n'
      );
    });
  tokens
    .command('revoke')
    .description('revoke an API token')
    .argument('<id>', 'token id (see `gatehouse admin tokens list`)')
    .action(async (id, _opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      await gw.admin.revokeToken(id);
      io.out(`Revoked token ${id}\n`);
    });
}
