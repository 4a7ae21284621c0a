/**
 * Where the client commands find the gateway's address and credentials: command-line flags,
 * else `GATEHOUSE_*` environment variables, else the file `gatehouse login` writes
 * (`$XDG_CONFIG_HOME/gatehouse/config.json`, default `~/.config/gatehouse/config.json`, mode
 * 0600). This module is the CLI's only reader of the environment for client settings; it is
 * handed the environment by `main`.
 * @module
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import Value from 'typebox/value';
import { basicAuth, jupyterHubAuth, tokenAuth, type Auth } from '@gatehouse/sdk';
import { CliError, EXIT } from './exit-codes.js';

/** The connection flags every client command accepts. */
export interface ConnectionFlags {
  readonly address?: string | undefined;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly token?: string | undefined;
  readonly hubToken?: string | undefined;
}

/** Where to connect, and how. */
export interface ClientSettings {
  readonly address: string;
  readonly auth: Auth | null;
  /** Where each part came from, for messages: `flag`, `environment`, the file path, or `none`. */
  readonly addressFrom: string;
}

/** The saved login file. */
const LoginFile = Type.Object(
  {
    address: Type.String({ minLength: 1 }),
    auth: Type.Union([
      Type.Object({
        type: Type.Literal('basic'),
        username: Type.String(),
        password: Type.Optional(Type.String()),
      }),
      Type.Object({ type: Type.Literal('jupyterhub'), token: Type.String() }),
      Type.Object({ type: Type.Literal('token'), token: Type.String() }),
      Type.Null(),
    ]),
  },
  { additionalProperties: false }
);

/** The saved login file's contents. */
export type LoginFile = Static<typeof LoginFile>;

type Env = Readonly<Record<string, string | undefined>>;

/** The login file's path: `$XDG_CONFIG_HOME/gatehouse/config.json`, else under `~/.config`. */
export function loginFilePath(env: Env): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg !== undefined && xdg !== '' ? xdg : path.join(env['HOME'] ?? '.', '.config');
  return path.join(base, 'gatehouse', 'config.json');
}

/** Reads the login file; `null` when there is none. */
export function readLoginFile(file: string): LoginFile | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(
      `cannot read ${file}: ${(err as Error).message}`,
      EXIT.usage,
      'Fix its permissions, or log in again with `gatehouse login`.'
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!Value.Check(LoginFile, data)) {
    throw new CliError(
      `${file} is not a valid Gatehouse login file`,
      EXIT.usage,
      'Log in again with `gatehouse login`, which rewrites it.'
    );
  }
  return data;
}

/** Writes the login file with mode 0600 (its directory 0700). */
export function writeLoginFile(file: string, contents: LoginFile): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(contents, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

const nonEmpty = (v: string | undefined): v is string => v !== undefined && v !== '';

/** Credentials from one source's values, or `null` when that source gives none. */
export function authFrom(v: ConnectionFlags): Auth | null {
  if (nonEmpty(v.token)) return tokenAuth(v.token);
  if (nonEmpty(v.hubToken)) return jupyterHubAuth(v.hubToken);
  if (nonEmpty(v.user)) return basicAuth(v.user, v.password ?? '');
  return null;
}

/** Connection values from the environment. */
function fromEnv(env: Env): ConnectionFlags {
  return {
    address: env['GATEHOUSE_ADDRESS'],
    user: env['GATEHOUSE_USER'],
    password: env['GATEHOUSE_PASSWORD'],
    token: env['GATEHOUSE_TOKEN'],
    hubToken: env['GATEHOUSE_HUB_TOKEN'],
  };
}

/**
 * Resolves the settings: flags win over the environment, which wins over the login file.
 * @throws CliError (exit 2) when no source gives an address.
 */
export function resolveSettings(flags: ConnectionFlags, env: Env): ClientSettings {
  const envFlags = fromEnv(env);
  const file = loginFilePath(env);
  const saved = readLoginFile(file);
  const address = nonEmpty(flags.address)
    ? { value: flags.address, from: 'flag --address' }
    : nonEmpty(envFlags.address)
      ? { value: envFlags.address, from: 'GATEHOUSE_ADDRESS' }
      : saved !== null
        ? { value: saved.address, from: file }
        : null;
  if (address === null) {
    throw new CliError(
      'no gateway address given',
      EXIT.usage,
      'Pass --address URL, set GATEHOUSE_ADDRESS, or save one with `gatehouse login --address URL`.'
    );
  }
  checkAddress(address.value, address.from);
  const auth = authFrom(flags) ?? authFrom(envFlags) ?? saved?.auth ?? null;
  return { address: address.value, auth, addressFrom: address.from };
}

/**
 * Refuses an address that is not an http(s) URL with a host, naming where it came from.
 * @throws CliError (exit 2) saying what is wrong with it.
 */
export function checkAddress(address: string, from: string): void {
  const url = URL.canParse(address) ? new URL(address) : null;
  const problem =
    url === null
      ? 'is not a URL'
      : url.protocol !== 'http:' && url.protocol !== 'https:'
        ? `has the scheme ${url.protocol.replace(/:$/, '')}, not http or https`
        : url.hostname === ''
          ? 'names no host'
          : url.search !== '' || url.hash !== ''
            ? 'has a query or fragment'
            : null;
  if (problem === null) return;
  throw new CliError(
    `the gateway address ${JSON.stringify(address)} (from ${from}) ${problem}`,
    EXIT.usage,
    'Give the address as http://HOST:PORT (with the path prefix, if any), e.g. http://127.0.0.1:8000.'
  );
}
