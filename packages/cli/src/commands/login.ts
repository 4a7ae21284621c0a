/**
 * `gatehouse login`, `logout` and `whoami`: save the gateway's address and credentials to the
 * login file (mode 0600), so later commands need no flags.
 * @module
 */
import { rmSync } from 'node:fs';
import type { Command } from '@commander-js/extra-typings';
import { Gateway } from '@gatehouse/sdk';
import { connect, connectionFlags, type CliContext } from '../client/context.js';
import { CliError, EXIT } from '../client/exit-codes.js';
import { details, json } from '../client/output.js';
import { authFrom, loginFilePath, writeLoginFile } from '../client/settings.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Registers `login`, `logout` and `whoami` on `program`. */
export function registerLoginCommands(program: Command, ctx: CliContext): void {
  const { io } = ctx;
  program
    .command('login')
    .description(
      'check the address and credentials given (by flags or GATEHOUSE_* variables) and save them'
    )
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts, cmd) => {
      const flags = connectionFlags(cmd);
      const password = opts.passwordStdin === true ? await readStdin() : flags.password;
      const { settings } = connect(ctx, cmd);
      const auth = authFrom({ ...flags, password }) ?? settings.auth;
      if (auth === null) {
        throw new CliError(
          'no credentials given',
          EXIT.usage,
          'Pass --user NAME (with --password or --password-stdin), --token TOKEN or --hub-token TOKEN.'
        );
      }
      const me = await new Gateway({ address: settings.address, auth }).me();
      const file = loginFilePath(ctx.env);
      writeLoginFile(file, { address: settings.address, auth });
      io.out(
        `Logged in to ${settings.address} as ${me.name}${me.admin ? ' (admin)' : ''}; saved to ${file}\n`
      );
      if (!me.granted) {
        io.err(
          `Note: ${me.name} has not been granted access yet. Ask an administrator, or run ` +
            '`gatehouse request-access "why you need it"`.\n'
        );
      }
    });

  program
    .command('logout')
    .description('delete the saved login file')
    .action(() => {
      const file = loginFilePath(ctx.env);
      rmSync(file, { force: true });
      io.out(`Removed ${file}\n`);
    });

  program
    .command('whoami')
    .description('show who the gateway thinks you are')
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw, settings } = connect(ctx, cmd);
      const me = await gw.me();
      if (opts.json === true) {
        io.out(json({ ...me, address: settings.address }));
        return;
      }
      io.out(
        details([
          ['user', me.name],
          ['groups', me.groups.join(', ')],
          ['admin', me.admin],
          ['granted', me.granted],
          ['gateway', `${settings.address} (from ${settings.addressFrom})`],
        ])
      );
    });
}
