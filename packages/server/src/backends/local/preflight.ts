/**
 * Checks before the local backend starts a process: the chosen Python environment exists, its
 * command is not a dangling link (PATH lookup would silently fall through to another Python),
 * and, for isolated clusters, an unprivileged uid can use it. A refusal is left in the process's
 * log, where the user looks.
 * @module
 */
import { appendFileSync, existsSync, lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { environmentUnusableByOthers } from './environment-access.js';

/**
 * Why `cmd` cannot run from the environment whose executables are in `binDir`, or null: the
 * environment is missing, or its entry for `cmd` is a link to an interpreter that is gone.
 */
export function environmentProblem(binDir: string, cmd: string): string | null {
  if (cmd.includes('/')) return null;
  if (!existsSync(binDir)) return `the Python environment ${path.dirname(binDir)} does not exist`;
  const entry = path.join(binDir, cmd);
  let isLink: boolean;
  try {
    isLink = lstatSync(entry).isSymbolicLink();
  } catch {
    return null;
  }
  if (isLink && !existsSync(entry)) {
    const target = path.resolve(binDir, readlinkSync(entry));
    return `${entry} points to ${target}, which does not exist (a moved or deleted environment?)`;
  }
  return null;
}

/**
 * Refuses (throws) to start `argv` from `binDir` when its environment is broken, or unusable by
 * other uids when `isolated`, leaving the cause in `logFile`.
 */
export function preflight(
  binDir: string,
  argv: readonly string[],
  logFile: string,
  isolated: boolean
): void {
  const problem =
    environmentProblem(binDir, argv[0] ?? '') ??
    (isolated ? environmentUnusableByOthers(path.dirname(binDir)) : null);
  if (problem === null) return;
  mkdirSync(path.dirname(logFile), { recursive: true, mode: 0o700 });
  appendFileSync(logFile, `gatehouse: cannot start ${argv.join(' ')}: ${problem}\n`, {
    mode: 0o600,
  });
  throw new Error(problem);
}
