/**
 * `gatehouse admin requests|approve|deny`: access requests.
 * @module
 */
import { Option, type Command } from '@commander-js/extra-typings';
import { ACCESS_REQUEST_STATUSES, type RequestJson } from '@gatehouse/sdk';
import { connect, type CliContext } from '../client/context.js';
import { json, table, time } from '../client/output.js';
import { nonNegativeInt } from './arguments.js';

function requestId(text: string): number {
  return nonNegativeInt(text);
}

/** Registers `admin requests|approve|deny` on the `admin` command. */
export function registerAdminRequestCommands(admin: Command, ctx: CliContext): void {
  const { io } = ctx;
  admin
    .command('requests')
    .description('list access requests')
    .addOption(new Option('--status <status>', 'only these').choices(ACCESS_REQUEST_STATUSES))
    .option('--json', 'print JSON for scripts')
    .action(async (opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      const list = await gw.admin.requests(
        opts.status === undefined ? {} : { status: opts.status }
      );
      if (opts.json === true) {
        io.out(json(list));
        return;
      }
      io.out(
        table(
          ['id', 'user', 'status', 'filed', 'decided by', 'message', 'reason'],
          list.map((r) => [
            r.id,
            r.username,
            r.status,
            time(r.created_at),
            r.decided_by,
            r.message,
            r.reason,
          ]),
          'No access requests.'
        )
      );
    });

  const decided = (r: RequestJson, asJson: boolean) => {
    if (asJson) io.out(json(r));
    else
      io.out(
        `Request ${String(r.id)} of ${r.username}: ${r.status}${r.reason === null ? '' : ` (${r.reason})`}\n`
      );
  };
  admin
    .command('approve')
    .description('approve an access request (grants the user)')
    .argument('<id>', 'request id (see `gatehouse admin requests`)', requestId)
    .option('--json', 'print JSON for scripts')
    .action(async (id, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      decided(await gw.admin.approve(id), opts.json === true);
    });
  admin
    .command('deny')
    .description('deny an access request; the user sees the reason')
    .argument('<id>', 'request id (see `gatehouse admin requests`)', requestId)
    .option('--reason <text>', 'why, in words the user will read')
    .option('--json', 'print JSON for scripts')
    .action(async (id, opts, cmd) => {
      const { gw } = connect(ctx, cmd);
      decided(await gw.admin.deny(id, opts.reason), opts.json === true);
    });
}
