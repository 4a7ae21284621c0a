/**
 * What `gatehouse db migrate|check|copy` do (loads the server package). `check` exits 0 when
 * the schema is current and the sealing keys open the stored secrets, 13 when migrations are
 * pending, and 2 when the keys are missing or do not open the secrets.
 * @module
 */
import {
  NoDatabaseError,
  TargetNotEmptyError,
  checkStore,
  copyStore,
  loadConfig,
  migrateStore,
  redactUrl,
  targetFromUrl,
} from '@gatehouse/server';
import type { CliContext } from '../client/context.js';
import { CliError, EXIT } from '../client/exit-codes.js';
import { PROJECT_PYTHON_ENV } from '../paths.js';

/** Database errors the user can act on (SQLSTATE classes 08 and 28, 3D000, socket errors). */
const UNREACHABLE = /^(08|28|3D000|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ENOENT)/;

/** Runs `fn`, turning a missing or unreachable database into an exit code with advice. */
async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof NoDatabaseError) {
      throw new CliError(err.message, EXIT.usage, 'Check store.path in the config file.');
    }
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.test(code)) {
      throw new CliError(
        `the database cannot be used: ${(err as Error).message} (${code})`,
        EXIT.unreachable,
        'Check store.url, the password (store.password_file) and that the server is running.'
      );
    }
    throw err;
  }
}

const configOf = (ctx: CliContext, file: string | undefined) =>
  loadConfig({ file, env: ctx.env, defaultPythonEnv: PROJECT_PYTHON_ENV });

/** `db migrate`: applies pending migrations to the configured store. */
export async function migrate(ctx: CliContext, file: string | undefined): Promise<void> {
  const config = configOf(ctx, file);
  const ran = await withDatabase(() => migrateStore(config));
  ctx.io.out(
    ran.length === 0
      ? `${config.storePath}: up to date (no migration pending)\n`
      : `${config.storePath}: applied ${ran.join(', ')}\n`
  );
}

/** `db check`: pending migrations and whether the keys open the secrets; sets the exit code. */
export async function check(ctx: CliContext, file: string | undefined, json: boolean) {
  const config = configOf(ctx, file);
  const r = await withDatabase(() => checkStore(config));
  if (json) ctx.io.out(`${JSON.stringify(r)}\n`);
  else {
    ctx.io.out(`database: ${r.where}\n`);
    ctx.io.out(
      r.pending.length === 0
        ? 'migrations: up to date\n'
        : `migrations: ${String(r.pending.length)} pending (${r.pending.join(', ')}); run gatehouse db migrate\n`
    );
    const { stored, tried, opened } = r.secrets;
    ctx.io.out(
      r.keyProblem === null
        ? `sealing key: opens the stored secrets (${String(opened)} of ${String(tried)} tried, ${String(stored)} stored)\n`
        : `sealing key: PROBLEM: ${r.keyProblem}\n`
    );
  }
  if (r.keyProblem !== null) {
    throw new CliError(
      'the sealing keys do not open the stored secrets',
      EXIT.usage,
      'Configure the key the secrets were sealed with: store.encryption_key_file or store.encryption_keys (see docs/deploy.md).'
    );
  }
  if (r.pending.length > 0) {
    throw new CliError(
      `${String(r.pending.length)} migrations pending`,
      EXIT.migrationsPending,
      'Run gatehouse db migrate (gatehouse serve also migrates at start).'
    );
  }
}

/** The options of `db copy`. */
export interface CopyOptions {
  readonly from: string;
  readonly to: string;
  readonly toPasswordFile?: string | undefined;
  readonly force?: true | undefined;
}

/** `db copy`: copies every row from one database to another. */
export async function copy(ctx: CliContext, opts: CopyOptions): Promise<void> {
  const cwd = process.cwd();
  const target = (url: string, passwordFile?: string) => {
    try {
      return targetFromUrl(url, cwd, passwordFile);
    } catch (err) {
      throw new CliError((err as Error).message, EXIT.usage, 'See gatehouse db copy --help.');
    }
  };
  const from = target(opts.from);
  const to = target(opts.to, opts.toPasswordFile);
  try {
    const r = await withDatabase(() => copyStore(from, to, { force: opts.force === true }));
    for (const [t, n] of Object.entries(r.rows)) ctx.io.out(`${t}: ${String(n)} rows\n`);
    ctx.io.out(`copied ${redactUrl(opts.from)} to ${redactUrl(opts.to)}\n`);
    if (r.keyIds.length > 0) {
      ctx.io.out(
        `The secrets stay sealed with key ${r.keyIds.join(', ')}: give the new gateway the same key ` +
          '(store.encryption_key_file: the old <data_dir>/gatehouse.key, or the same store.encryption_keys).\n'
      );
    }
  } catch (err) {
    if (err instanceof TargetNotEmptyError) {
      throw new CliError(
        err.message,
        EXIT.usage,
        'Copy into an empty database, or pass --force to replace its rows.'
      );
    }
    throw err;
  }
}
