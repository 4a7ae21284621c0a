/**
 * The Python environments users may choose: listed in the config or discovered in a directory,
 * each offered only once a check found `distributed` and `dask_gateway` importable in it. Checks
 * run in the background, are cached, and are repeated when the environment's interpreter or
 * site-packages directory changes.
 * @module
 */
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { EnvironmentsConfig } from '../config/schema.js';

/** One environment and what its last check found. */
export interface EnvironmentStatus {
  readonly name: string;
  readonly prefix: string;
  readonly groups: readonly string[];
  /** 'ok' when usable; 'pending' until checked; 'broken' with the reason otherwise. */
  readonly state: 'ok' | 'pending' | 'broken';
  readonly detail: string;
  /** Versions found by the check, e.g. {distributed: '2026.8.0', dask_gateway: '2026.3.0'}. */
  readonly versions: Readonly<Record<string, string>>;
  readonly checkedAt: number | null;
}

const CHECK = [
  '-c',
  'import json, sys, distributed, dask_gateway; print(json.dumps({"python": sys.version.split()[0], "distributed": distributed.__version__, "dask_gateway": dask_gateway.__version__}))',
];

/** A fingerprint of the environment that changes when packages or the interpreter change. */
function fingerprint(prefix: string): string {
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

function listConfigured(
  cfg: EnvironmentsConfig
): Array<{ name: string; prefix: string; groups: string[] }> {
  const out = cfg.list.map((e) => ({ name: e.name, prefix: e.prefix, groups: [...e.groups] }));
  if (cfg.discover !== null) {
    let entries: string[];
    try {
      entries = readdirSync(cfg.discover).sort();
    } catch {
      entries = [];
    }
    for (const d of entries) {
      const prefix = path.join(cfg.discover, d);
      try {
        statSync(path.join(prefix, 'bin', 'python'));
      } catch {
        continue;
      }
      if (!out.some((e) => e.name === d)) out.push({ name: d, prefix, groups: [] });
    }
  }
  return out;
}

/** Tracks the configured environments and their checks. */
export interface EnvironmentCatalog {
  /** Every environment with its check state (admins see this). */
  list(): EnvironmentStatus[];
  /** The usable environments a user with `groups` may choose. */
  usableFor(groups: readonly string[], admin: boolean): EnvironmentStatus[];
  /** Re-lists and re-checks whatever changed; resolves when the checks are done. */
  refresh(): Promise<void>;
}

/** Creates the catalog and starts the first checks. */
export function createEnvironmentCatalog(
  cfg: EnvironmentsConfig,
  log: Logger,
  now: () => number,
  runAs: { readonly uid: number; readonly gid: number } | null = null
): EnvironmentCatalog {
  const state = new Map<string, EnvironmentStatus & { fp: string }>();
  let running: Promise<void> | null = null;
  let again: Promise<void> | null = null;

  const check = (name: string, prefix: string, groups: string[], fp: string) =>
    new Promise<void>((resolve) => {
      execFile(
        path.join(prefix, 'bin', 'python'),
        CHECK,
        {
          timeout: 60_000,
          ...(runAs === null ? {} : { uid: runAs.uid, gid: runAs.gid, cwd: '/' }),
        },
        (err, stdout, stderr) => {
          let versions: Record<string, string> = {};
          let detail = '';
          if (err === null) {
            try {
              const parsed: unknown = JSON.parse(stdout);
              if (typeof parsed === 'object' && parsed !== null) {
                versions = Object.fromEntries(
                  Object.entries(parsed).filter(
                    (kv): kv is [string, string] => typeof kv[1] === 'string'
                  )
                );
              }
            } catch {
              detail = `unexpected output: ${stdout.slice(0, 200)}`;
            }
          } else {
            const lines = stderr.trim().split('\n');
            detail = lines[lines.length - 1] ?? err.message;
            if (detail === '') detail = err.message;
            if (runAs !== null && err.code === 'EACCES') {
              detail = `cluster uids cannot run this environment (checked as uid ${String(runAs.uid)}): ${err.message}`;
            }
          }
          const ok = err === null && detail === '';
          state.set(name, {
            name,
            prefix,
            groups,
            state: ok ? 'ok' : 'broken',
            detail,
            versions,
            checkedAt: now(),
            fp,
          });
          if (!ok)
            log.warn(
              { environment: name, prefix, detail },
              'environment not offered: check failed'
            );
          resolve();
        }
      );
    });

  /** Starts a pass now, or (while one runs) one pass after it, so callers see their changes. */
  const refresh = (): Promise<void> => {
    if (running !== null) {
      again ??= running.then(() => {
        again = null;
        return refresh();
      });
      return again;
    }
    return pass();
  };

  const pass = (): Promise<void> => {
    const wanted = listConfigured(cfg);
    const jobs: Array<Promise<void>> = [];
    for (const name of [...state.keys()])
      if (!wanted.some((e) => e.name === name)) state.delete(name);
    for (const e of wanted) {
      const fp = fingerprint(e.prefix);
      const known = state.get(e.name);
      if (known !== undefined && known.fp === fp && known.prefix === e.prefix) continue;
      if (known === undefined) {
        state.set(e.name, {
          ...e,
          state: 'pending',
          detail: '',
          versions: {},
          checkedAt: null,
          fp,
        });
      }
      jobs.push(check(e.name, e.prefix, e.groups, fp));
    }
    running = Promise.all(jobs).then(() => {
      running = null;
    });
    return running;
  };

  const list = () => {
    const order = listConfigured(cfg).map((e) => e.name);
    return order.flatMap((n) => {
      const s = state.get(n);
      if (s === undefined) return [];
      const { fp: _fp, ...rest } = s;
      return [rest];
    });
  };

  void refresh();
  return {
    list,
    usableFor(groups, admin) {
      void refresh(); // cheap when nothing changed; picks up new or changed environments
      return list().filter(
        (e) =>
          e.state === 'ok' &&
          (admin || e.groups.length === 0 || e.groups.some((g) => groups.includes(g)))
      );
    },
    refresh,
  };
}
