/**
 * What every client command is given by `main`: the environment (read only through
 * {@link resolveSettings}), where to write, and a way to connect with the resolved settings.
 * @module
 */
import { Gateway, type Auth } from '@gatehouse/sdk';
import type { Output } from './output.js';
import { resolveSettings, type ClientSettings, type ConnectionFlags } from './settings.js';

/** The CLI's dependencies. */
export interface CliContext {
  /** The process environment, as `main` received it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: Output;
  /**
   * The credentials the command connected with (set by {@link connect}), so a refusal can say
   * whether they were missing or wrong.
   */
  readonly used?: { auth: Auth | null; command: string };
}

/** A command's view of the global connection flags (commander's `optsWithGlobals()`). */
export interface HasGlobals {
  optsWithGlobals(): object;
  name(): string;
  readonly parent: HasGlobals | null;
}

function flag(opts: object, key: string): string | undefined {
  const v: unknown = (opts as Record<string, unknown>)[key];
  return typeof v === 'string' ? v : undefined;
}

/** The connection flags of `cmd` (and its parents). */
export function connectionFlags(cmd: HasGlobals): ConnectionFlags {
  const o = cmd.optsWithGlobals();
  return {
    address: flag(o, 'address'),
    user: flag(o, 'user'),
    password: flag(o, 'password'),
    token: flag(o, 'token'),
    hubToken: flag(o, 'hubToken'),
  };
}

/** A command's words after `gatehouse` (`admin deny`), for advice that fits it. */
function commandPath(cmd: HasGlobals): string {
  const words: string[] = [];
  for (let c: HasGlobals = cmd; c.parent !== null; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}

/** A gateway client for `cmd`'s settings. */
export function connect(
  ctx: CliContext,
  cmd: HasGlobals
): { gw: Gateway; settings: ClientSettings } {
  const settings = resolveSettings(connectionFlags(cmd), ctx.env);
  if (ctx.used !== undefined) {
    ctx.used.auth = settings.auth;
    ctx.used.command = commandPath(cmd);
  }
  return { gw: new Gateway({ address: settings.address, auth: settings.auth }), settings };
}
