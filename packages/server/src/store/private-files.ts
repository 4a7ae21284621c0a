/**
 * Keeps the gateway's state private to its Unix user: the data directory is 0700 (created so,
 * or tightened at start when the gateway's user owns it; refused when another user owns it or
 * it is a shared sticky directory such as /tmp), and the SQLite database with its `-wal` and
 * `-shm` files is 0600 (created so before SQLite opens it, and checked again once WAL files
 * exist; SQLite gives the WAL and SHM the database file's mode).
 * @module
 */
import { chmodSync, closeSync, mkdirSync, openSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import { ConfigError } from '../config/load.js';

const octal = (mode: number) => `0${(mode & 0o7777).toString(8)}`;

/**
 * Makes `dir` (the data directory) a 0700 directory of the gateway's user.
 * @throws ConfigError naming `data_dir` when another user owns it or it is a sticky directory.
 */
export function securePrivateDir(dir: string, log: Logger, key = 'data_dir'): void {
  let st;
  try {
    st = statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    return;
  }
  const refuse = (why: string) => new ConfigError(key, [`${key}: ${dir} ${why}`]);
  if (!st.isDirectory()) throw refuse('is not a directory');
  if ((st.mode & 0o1000) !== 0) {
    throw refuse('is a shared directory (sticky bit, like /tmp); give the gateway one of its own');
  }
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw refuse(
      `is owned by uid ${String(st.uid)}, not by the gateway's user (uid ${String(uid)}); ` +
        `the gateway keeps secrets there: chown it to the gateway's user or pick another ${key}`
    );
  }
  if ((st.mode & 0o7777) !== 0o700) {
    chmodSync(dir, 0o700);
    log.warn(
      { data_dir: dir, was: octal(st.mode) },
      `made the data directory ${dir} 0700 (it was ${octal(st.mode)})`
    );
  }
}

/** Creates `file` empty with mode 0600 if it does not exist. */
export function createPrivateFile(file: string): void {
  closeSync(openSync(file, 'a', 0o600));
}

/** Sets each existing file of `files` to 0600; returns those whose mode was wider. */
export function restrictFiles(files: readonly string[]): string[] {
  const changed: string[] = [];
  for (const f of files) {
    let mode: number;
    try {
      mode = statSync(f).mode & 0o777;
    } catch {
      continue;
    }
    if (mode !== 0o600) {
      chmodSync(f, 0o600);
      changed.push(f);
    }
  }
  return changed;
}

/** The database file and the WAL and SHM files SQLite keeps beside it. */
export function databaseFiles(file: string): string[] {
  return [file, `${file}-wal`, `${file}-shm`];
}
