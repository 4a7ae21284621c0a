/**
 * Whether a Python environment can be used by isolated cluster uids. Such a uid owns no file
 * outside its cluster directory and is in no group, so only the "other" permission bits count:
 * every directory on the way to the environment and to its real interpreter must be searchable,
 * and the interpreter executable. pyenv under root's 0700 home, or a clone under a 0700
 * directory, fail here.
 * @module
 */
import { constants, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** The uid and gid environment checks run as when clusters are isolated (nobody:nogroup). */
export const UNPRIVILEGED = { uid: 65534, gid: 65534 } as const;

/**
 * The directory of an environment's executables, reached through its real path: a clone under a
 * 0700 directory whose `.venv` links into a world-readable cache is usable by cluster uids only
 * by the cache's path, since they cannot traverse the link's own directory. A missing
 * environment keeps its given path (the caller reports it).
 */
export function environmentExecutables(prefix: string): string {
  try {
    return path.join(realpathSync(prefix), 'bin');
  } catch {
    return path.join(prefix, 'bin');
  }
}

/** The first parent of `p` that others cannot search, with its mode; or null. */
export function blockedAncestor(p: string): string | null {
  for (let d = path.dirname(p); ; d = path.dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & constants.S_IXOTH) === 0) return `${d} (mode ${(mode & 0o7777).toString(8)})`;
    if (d === path.dirname(d)) return null;
  }
}

/**
 * Whether another uid can read `file`: it is readable by "other" and every parent is
 * searchable. False when it is missing.
 */
export function readableByOthers(file: string): boolean {
  try {
    return (statSync(file).mode & constants.S_IROTH) !== 0 && blockedAncestor(file) === null;
  } catch {
    return false;
  }
}

/**
 * Why a process of another uid cannot run the environment at `prefix`, or null when it can
 * (or when the environment is missing, which the caller reports in its own words).
 */
export function environmentUnusableByOthers(prefix: string): string | null {
  let realPrefix: string;
  let interpreter: string;
  try {
    realPrefix = realpathSync(prefix);
    interpreter = realpathSync(path.join(prefix, 'bin', 'python'));
  } catch {
    return null;
  }
  const why = (what: string) =>
    `the Python environment ${prefix} cannot be used by the cluster's uid: ${what} is not accessible to other users`;
  for (const target of [path.join(realPrefix, 'bin', 'python'), interpreter]) {
    const blocked = blockedAncestor(target);
    if (blocked !== null) return why(blocked);
  }
  const mode = statSync(interpreter).mode;
  if ((mode & constants.S_IXOTH) === 0) {
    return why(`${interpreter} (mode ${(mode & 0o7777).toString(8)})`);
  }
  return null;
}
