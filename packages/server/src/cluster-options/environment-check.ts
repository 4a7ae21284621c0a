/**
 * Checks one Python environment: runs its interpreter to import `distributed` and
 * `dask_gateway` (as a cluster uid when clusters are isolated) and reports their versions, and
 * fingerprints it so a changed interpreter or site-packages directory is checked again.
 * @module
 */
import { execFile, type ExecFileException } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { environmentExecutables } from '../backends/local/environment-access.js';

/** The uid and gid a check runs as (those of isolated clusters). */
export interface CheckIdentity {
  readonly uid: number;
  readonly gid: number;
}

/** What one check found. */
export interface CheckResult {
  readonly ok: boolean;
  /** Why the environment is not usable; empty when it is. */
  readonly detail: string;
  /** Versions found, e.g. {distributed: '2026.8.0', dask_gateway: '2026.3.0'}. */
  readonly versions: Record<string, string>;
}

const CHECK = [
  '-c',
  'import json, sys, distributed, dask_gateway; print(json.dumps({"python": sys.version.split()[0], "distributed": distributed.__version__, "dask_gateway": dask_gateway.__version__}))',
];

/** A fingerprint of the environment that changes when packages or the interpreter change. */
export function fingerprint(prefix: string): string {
  const parts: string[] = [];
  for (const p of [path.join(prefix, 'bin', 'python'), path.join(prefix, 'lib')]) {
    try {
      parts.push(String(statSync(p).mtimeMs));
    } catch {
      parts.push('missing');
    }
  }
  try {
    for (const d of readdirSync(path.join(prefix, 'lib'))) {
      parts.push(String(statSync(path.join(prefix, 'lib', d, 'site-packages')).mtimeMs));
    }
  } catch {
    // no lib/pythonX.Y/site-packages: the fingerprint keeps what it has
  }
  return parts.join('|');
}

/** The check's output read as versions, or the reason it cannot be. */
function readOutput(stdout: string): { versions: Record<string, string>; detail: string } {
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (typeof parsed !== 'object' || parsed === null) return { versions: {}, detail: '' };
    const versions = Object.fromEntries(
      Object.entries(parsed).filter((kv): kv is [string, string] => typeof kv[1] === 'string')
    );
    return { versions, detail: '' };
  } catch {
    return { versions: {}, detail: `unexpected output: ${stdout.slice(0, 200)}` };
  }
}

/** Why a check that failed failed: the last line of its error output, or the error. */
function failureDetail(
  err: ExecFileException,
  stderr: string,
  runAs: CheckIdentity | null
): string {
  const lines = stderr.trim().split('\n');
  let detail = lines[lines.length - 1] ?? err.message;
  if (detail === '') detail = err.message;
  if (runAs !== null && err.code === 'EACCES') {
    detail = `cluster uids cannot run this environment (checked as uid ${String(runAs.uid)}): ${err.message}`;
  }
  return detail;
}

/**
 * Runs the check of the environment at `prefix`; never rejects. The interpreter is reached by
 * the environment's real path, as clusters reach it, so a `.venv` link in a directory cluster
 * uids cannot search still checks (and runs) as the world-readable place it links to.
 */
export function checkEnvironment(
  prefix: string,
  runAs: CheckIdentity | null
): Promise<CheckResult> {
  return new Promise((resolve) => {
    execFile(
      path.join(environmentExecutables(prefix), 'python'),
      CHECK,
      {
        timeout: 60_000,
        ...(runAs === null ? {} : { uid: runAs.uid, gid: runAs.gid, cwd: '/' }),
      },
      (err, stdout, stderr) => {
        const { versions, detail } =
          err === null
            ? readOutput(stdout)
            : { versions: {}, detail: failureDetail(err, stderr, runAs) };
        resolve({ ok: err === null && detail === '', detail, versions });
      }
    );
  });
}
