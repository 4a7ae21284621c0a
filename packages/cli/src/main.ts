/**
 * The `gatehouse` command line. Each command group lives in its own module under `commands/`
 * and is registered here; this module also turns every failure into a message that says what
 * to do next and a documented exit code (`client/exit-codes.ts`).
 * @module
 */
import { Command, CommanderError } from '@commander-js/extra-typings';
import { GatehouseError, UnauthenticatedError } from '@gatehouse/sdk';
import { GATEWAY_VERSION } from '@gatehouse/server/version';
import type { CliContext } from './client/context.js';
import {
  CliError,
  EXIT,
  EXIT_CODES_HELP,
  adviceFor,
  rejectedCredentials,
} from './client/exit-codes.js';
import { registerAdminCommands } from './commands/admin.js';
import { registerClusterCommands } from './commands/clusters.js';
import { registerDbCommands } from './commands/db.js';
import { registerLoginCommands } from './commands/login.js';
import { registerPoolCommands } from './commands/pool.js';
import { registerServerCommands } from './commands/server.js';
import { registerShareCommands } from './commands/shares.js';

const CONNECTION_HELP = `
Client commands find the gateway from flags, else the environment (GATEHOUSE_ADDRESS,
GATEHOUSE_USER, GATEHOUSE_PASSWORD, GATEHOUSE_TOKEN, GATEHOUSE_HUB_TOKEN), else the file
\`gatehouse login\` saves ($XDG_CONFIG_HOME/gatehouse/config.json, mode 0600).
`;

/** Builds the program with every command group. */
function buildProgram(ctx: CliContext) {
  const program = new Command()
    .name('gatehouse')
    .description('Gatehouse: a multi-user Dask Gateway server, and a client for it')
    .version(GATEWAY_VERSION)
    .option('--address <url>', 'the gateway address, e.g. http://127.0.0.1:8000')
    .option('--user <name>', 'user name (Basic authentication)')
    .option('--password <password>', 'password (Basic authentication)')
    .option('--token <token>', 'Gatehouse API token (Bearer)')
    .option('--hub-token <token>', 'JupyterHub API token')
    .addHelpText('after', `${CONNECTION_HELP}${EXIT_CODES_HELP}`)
    // Set before the commands are added, so that every subcommand inherits both.
    .exitOverride()
    .showHelpAfterError('(run the command with --help for its usage)')
    .configureOutput({
      writeOut: (s) => {
        ctx.io.out(s);
      },
      writeErr: (s) => {
        ctx.io.err(s);
      },
    });
  registerServerCommands(program, ctx);
  registerDbCommands(program, ctx);
  registerLoginCommands(program, ctx);
  registerClusterCommands(program, ctx);
  registerPoolCommands(program, ctx);
  registerShareCommands(program, ctx);
  registerAdminCommands(program, ctx);
  return program;
}

/** The exit code for `err`, after printing what went wrong and what to do next. */
function report(ctx: CliContext, err: unknown): number {
  const say = (message: string, hint: string) => {
    ctx.io.err(`gatehouse: ${message}\n${hint === '' ? '' : `  ${hint}\n`}`);
  };
  if (err instanceof CommanderError) {
    // Help and version "errors" are successes; usage errors were printed by commander.
    return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  // By name: the server package (which defines ConfigError) is loaded only by the commands
  // that need it, so the client commands start without it.
  if (err instanceof Error && err.name === 'ConfigError') {
    ctx.io.err(`${err.message}\n`);
    return EXIT.usage;
  }
  if (err instanceof CliError) {
    say(err.message, err.hint);
    return err.exitCode;
  }
  if (err instanceof GatehouseError) {
    const { code, hint } = adviceFor(err, ctx.used?.command);
    const rejected =
      err instanceof UnauthenticatedError ? rejectedCredentials(ctx.used?.auth ?? null) : null;
    if (rejected !== null) say(rejected.message, rejected.hint);
    else say(err.message, hint);
    if ('logTail' in err && typeof err.logTail === 'string' && err.logTail !== '') {
      ctx.io.err(`--- last lines of the scheduler log ---\n${err.logTail.trimEnd()}\n`);
    }
    return code;
  }
  ctx.io.err(`gatehouse: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.unexpected;
}

/** Exits with the broken-pipe status when stdout's reader went away; rethrows anything else. */
function leaveOnBrokenPipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(EXIT.brokenPipe);
  throw err;
}

/** Runs the CLI with `argv` in `env`; resolves to the process exit code. */
export async function main(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>
): Promise<number> {
  const ctx: CliContext = {
    env,
    used: { auth: null, command: '' },
    io: {
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s),
      tty: process.stdout.isTTY,
    },
  };
  // `gatehouse … | head`: once the reader has gone, leave quietly as other Unix tools do.
  process.stdout.on('error', leaveOnBrokenPipe);
  try {
    await buildProgram(ctx).parseAsync([...argv]);
    return EXIT.ok;
  } catch (err) {
    return report(ctx, err);
  }
}
