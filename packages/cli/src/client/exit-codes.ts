/**
 * The exit codes of the `gatehouse` client commands (documented in the README and in
 * `gatehouse --help`), and the message for each failure: what went wrong, then what to do next.
 * @module
 */
import {
  ClusterFailedError,
  ClusterNotRunningError,
  ForbiddenError,
  GatehouseError,
  InvalidOptionsError,
  InvalidRequestError,
  NotFoundError,
  NotGrantedError,
  QuotaExceededError,
  ServerError,
  UnauthenticatedError,
  UnreachableError,
  type Auth,
} from '@gatehouse/sdk';

/** Exit code of each outcome. */
export const EXIT = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  unauthenticated: 3,
  forbidden: 4,
  notGranted: 5,
  notFound: 6,
  invalid: 7,
  quotaExceeded: 8,
  clusterFailed: 9,
  serverError: 10,
  unreachable: 11,
  timedOut: 12,
  /** `db check`: the database needs `gatehouse db migrate`. */
  migrationsPending: 13,
  /** The output's reader went away (`| head`): 128 + SIGPIPE, as shells report it. */
  brokenPipe: 141,
} as const;

/** The exit code table as help text. */
export const EXIT_CODES_HELP = `
Exit codes:
   0  success
   1  unexpected failure (please report it)
   2  usage or configuration error (bad arguments, no address, unreadable config file)
   3  not authenticated (missing or wrong credentials)
   4  forbidden (not your cluster, or not an admin)
   5  not granted access to this gateway
   6  not found (cluster, request or token)
   7  invalid request or cluster options
   8  quota exceeded
   9  the cluster failed or stopped while starting
  10  the gateway failed (server error)
  11  the gateway cannot be reached
  12  timed out waiting
  13  migrations pending (gatehouse db check; run gatehouse db migrate)
 141  the output's reader went away (e.g. piped into head)
`;

/** A failure the CLI detects itself, with its exit code and advice. */
export class CliError extends Error {
  /** The process exit code. */
  readonly exitCode: number;
  /** What the user should do next. */
  readonly hint: string;

  /** @param exitCode - one of {@link EXIT}. */
  constructor(message: string, exitCode: number, hint: string) {
    super(message);
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/**
 * Where to look up what a not-found name refers to, for the command that failed (`command`:
 * its words after `gatehouse`, e.g. `admin deny`).
 */
function lookUpHint(command: string): string {
  if (/^admin (requests|approve|deny)\b/.test(command))
    return 'Check the request id with `gatehouse admin requests`.';
  if (/^admin tokens?\b/.test(command)) return 'Check the token id with `gatehouse admin tokens`.';
  if (/^admin clusters\b/.test(command))
    return 'Check the name with `gatehouse admin clusters list`.';
  return 'Check the name with `gatehouse clusters list` (it lists finished clusters too).';
}

/** The exit code and advice for an SDK error raised by `command` (e.g. `clusters show`). */
export function adviceFor(err: GatehouseError, command = ''): { code: number; hint: string } {
  if (err instanceof UnauthenticatedError)
    return {
      code: EXIT.unauthenticated,
      hint:
        'Log in with `gatehouse login --address URL --user NAME` (or --token TOKEN), or set ' +
        'GATEHOUSE_USER/GATEHOUSE_PASSWORD or GATEHOUSE_TOKEN.',
    };
  if (err instanceof NotGrantedError)
    return {
      code: EXIT.notGranted,
      hint:
        'Ask an administrator to run `gatehouse admin grant <your user name>`, or file a request ' +
        'with `gatehouse request-access "why you need it"`.',
    };
  if (err instanceof ForbiddenError)
    return {
      code: EXIT.forbidden,
      hint: command.startsWith('admin')
        ? 'Admin commands need an admin account or an admin API token (`gatehouse login --token TOKEN`).'
        : 'Only its owner may use a cluster; check the name with `gatehouse clusters list`.',
    };
  if (err instanceof NotFoundError) return { code: EXIT.notFound, hint: lookUpHint(command) };
  if (err instanceof InvalidOptionsError)
    return {
      code: EXIT.invalid,
      hint: `${err.field === null ? '' : `Fix the option ${err.field}. `}See the options and their allowed values with \`gatehouse clusters options\`.`,
    };
  if (err instanceof QuotaExceededError)
    return {
      code: EXIT.quotaExceeded,
      hint:
        'Stop a cluster you no longer need (`gatehouse clusters list`, then ' +
        '`gatehouse clusters stop NAME`), or ask an administrator for a larger quota.',
    };
  if (err instanceof ClusterFailedError)
    return {
      code: EXIT.clusterFailed,
      hint: `Read its logs with \`gatehouse clusters logs ${err.cluster}\` and its events with \`gatehouse clusters events ${err.cluster}\`.`,
    };
  if (err instanceof ClusterNotRunningError)
    return {
      code: EXIT.invalid,
      hint: 'Wait until the cluster is RUNNING (`gatehouse clusters show NAME`), then retry.',
    };
  if (err instanceof InvalidRequestError)
    return { code: EXIT.invalid, hint: 'Check the arguments with `gatehouse <command> --help`.' };
  if (err instanceof UnreachableError)
    return {
      code: EXIT.unreachable,
      hint: 'Give the right address with --address, GATEHOUSE_ADDRESS or `gatehouse login`, or start the gateway.',
    };
  if (err instanceof ServerError)
    return {
      code: EXIT.serverError,
      hint: 'Retry in a moment; if it keeps failing, ask the gateway administrator to read the gateway log.',
    };
  return { code: EXIT.unexpected, hint: 'Please report this with the command you ran.' };
}

/**
 * What to say when the gateway refused the credentials the command sent (a 401 although some
 * were given): that they are wrong, and how to fix them. Null when none were sent (the
 * general advice to log in applies).
 */
export function rejectedCredentials(auth: Auth | null): { message: string; hint: string } | null {
  if (auth === null) return null;
  if (auth.type === 'basic')
    return {
      message: `wrong user name or password (user ${auth.username})`,
      hint:
        'Check them, or log in again with `gatehouse login --user NAME` (GATEHOUSE_USER and ' +
        'GATEHOUSE_PASSWORD override the saved login).',
    };
  return {
    message:
      auth.type === 'token'
        ? 'the gateway did not accept the API token (unknown, revoked or mistyped)'
        : 'the gateway did not accept the JupyterHub token',
    hint: 'Get a new token from your administrator (or JupyterHub) and log in again with `gatehouse login --token TOKEN`.',
  };
}
