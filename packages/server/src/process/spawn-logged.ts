/**
 * Spawns a detached process (own session and process group) whose output goes to a log file.
 *
 * The child outlives the gateway if the gateway dies, so a restarted gateway can adopt it.
 * @module
 */
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync } from 'node:fs';
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
}

/** A started process: its identity and a promise of its exit code (or signal name). */
export interface Spawned {
  readonly ref: ProcessRef;
  readonly exited: Promise<string>;
}

/**
 * Starts `spec` detached. Resolves once the process exists (or rejects with the spawn error,
 * e.g. an interpreter path that does not exist, after writing it to the log file).
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
  return new Promise<Spawned>((resolve, reject) => {
    let child;
    try {
      child = spawn(cmd, args, {
        cwd: spec.cwd,
        env: { ...spec.env },
        detached: true,
        stdio: ['ignore', fd, fd],
      });
    } catch (err) {
      closeFd();
      reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    const exited = new Promise<string>((res) => {
      child.once('exit', (code, signal) => {
        res(signal ?? String(code));
      });
    });
    child.once('error', (err) => {
      closeFd();
      // The log is where users look for why a process never ran (the logs route).
      appendFileSync(spec.logFile, `gatehouse: cannot start ${cmd}: ${err.message}\n`);
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
