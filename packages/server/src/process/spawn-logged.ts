/**
 * Spawns a detached process (own session and process group) whose output goes to a log file.
 *
 * The child outlives the gateway if the gateway dies, so a restarted gateway can adopt it.
 * @module
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { identify } from './process-identity.js';
import type { ProcessRef } from '../clusters/model.js';

/** What to run. */
export interface SpawnSpec {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  /** File receiving stdout and stderr (appended to; created 0600). */
  readonly logFile: string;
  /**
   * Runs the process under this uid and gid (the gateway must be root). The gateway opens the
   * log file and hands the process only the descriptor, so logs stay where it cannot reach.
   */
  readonly runAs?: { readonly uid: number; readonly gid: number };
}

/** A started process: its identity and a promise of its exit code (or signal name). */
export interface Spawned {
  readonly ref: ProcessRef;
  readonly exited: Promise<string>;
}

/** Reads the `#!` interpreter of an executable file, or null. */
function interpreterOf(file: string): string | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const first = buf.subarray(0, n).toString('utf8').split('\n', 1)[0] ?? '';
    return first.startsWith('#!') ? (first.slice(2).trim().split(/\s+/)[0] ?? null) : null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Explains an ENOENT from spawn: the command is not on PATH, or it is a script whose
 * interpreter is missing (a moved or deleted Python environment).
 */
export function explainMissing(cmd: string, pathVar: string): string {
  const candidates = cmd.includes('/') ? [cmd] : pathVar.split(':').map((d) => path.join(d, cmd));
  const found = candidates.find((f) => existsSync(f));
  if (found === undefined) return `${cmd} was not found (PATH=${pathVar})`;
  const interp = interpreterOf(found);
  if (interp !== null && !existsSync(interp)) {
    return `${found} names the interpreter ${interp}, which does not exist`;
  }
  return `${found} could not be executed`;
}

/**
 * Starts `spec` detached. Resolves once the process exists (or rejects with the spawn error,
 * e.g. an interpreter path that does not exist).
 */
export function spawnLogged(spec: SpawnSpec): Promise<Spawned> {
  const [cmd, ...args] = spec.argv;
  if (cmd === undefined) return Promise.reject(new Error('empty command line'));
  mkdirSync(path.dirname(spec.logFile), { recursive: true, mode: 0o700 });
  const fd = openSync(spec.logFile, 'a', 0o600);
  let fdOpen = true;
  const closeFd = (): void => {
    if (fdOpen) closeSync(fd);
    fdOpen = false;
  };
  /** Leaves the reason a process could not start in its log, where users look for it. */
  const logFailure = (err: Error): void => {
    if (!fdOpen) return;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `${err.message}: ${explainMissing(cmd, spec.env['PATH'] ?? '')}`
        : err.message;
    err.message = why;
    try {
      writeSync(fd, `gatehouse: cannot start ${spec.argv.join(' ')}: ${why}\n`);
    } catch {
      // The log is best effort; the error itself still reaches the caller.
    }
  };
  return new Promise<Spawned>((resolve, reject) => {
    let child;
    try {
      child = spawn(cmd, args, {
        cwd: spec.cwd,
        env: { ...spec.env },
        detached: true,
        stdio: ['ignore', fd, fd],
        ...(spec.runAs === undefined ? {} : { uid: spec.runAs.uid, gid: spec.runAs.gid }),
      });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      logFailure(e);
      closeFd();
      reject(e);
      return;
    }
    const exited = new Promise<string>((res) => {
      child.once('exit', (code, signal) => {
        res(signal ?? String(code));
      });
    });
    child.once('error', (err) => {
      logFailure(err);
      closeFd();
      reject(err);
    });
    child.once('spawn', () => {
      closeFd();
      child.unref();
      const pid = child.pid;
      const ref = pid === undefined ? null : identify(pid);
      if (pid === undefined || ref === null) {
        reject(new Error(`${cmd} exited immediately`));
        return;
      }
      resolve({ ref, exited });
    });
  });
}
