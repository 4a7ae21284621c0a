/**
 * The Python environments users may choose: listed in the config or discovered in a directory,
 * each offered only once a check found `distributed` and `dask_gateway` importable in it. Checks
 * run in the background, are cached, and are repeated when the environment's interpreter or
 * site-packages directory changes (the check itself is `environment-check.ts`).
 * @module
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { EnvironmentsConfig } from '../config/schema.js';
import { checkEnvironment, fingerprint, type CheckIdentity } from './environment-check.js';

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

/** The environments the config lists, then those discovered in its directory. */
function listConfigured(cfg: EnvironmentsConfig): Configured[] {
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

/** An environment as the config lists it or discovery found it. */
interface Configured {
  readonly name: string;
  readonly prefix: string;
  readonly groups: string[];
}

/** The catalog: every environment's last check, kept fresh by passes that run one at a time. */
class Catalog implements EnvironmentCatalog {
  readonly #state = new Map<string, EnvironmentStatus & { fp: string }>();
  #running: Promise<void> | null = null;
  #again: Promise<void> | null = null;
  readonly #cfg: EnvironmentsConfig;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #runAs: CheckIdentity | null;
  /** Whether clusters run elsewhere (in an image) where environments may exist unseen here. */
  readonly #inImage: boolean;

  constructor(
    cfg: EnvironmentsConfig,
    log: Logger,
    now: () => number,
    runAs: CheckIdentity | null,
    inImage: boolean
  ) {
    this.#inImage = inImage;
    this.#cfg = cfg;
    this.#log = log;
    this.#now = now;
    this.#runAs = runAs;
  }

  list(): EnvironmentStatus[] {
    const order = listConfigured(this.#cfg).map((e) => e.name);
    return order.flatMap((n) => {
      const s = this.#state.get(n);
      if (s === undefined) return [];
      const { fp: _fp, ...rest } = s;
      return [rest];
    });
  }

  usableFor(groups: readonly string[], admin: boolean): EnvironmentStatus[] {
    void this.refresh(); // cheap when nothing changed; picks up new or changed environments
    return this.list().filter(
      (e) =>
        e.state === 'ok' &&
        (admin || e.groups.length === 0 || e.groups.some((g) => groups.includes(g)))
    );
  }

  /** Starts a pass now, or (while one runs) one pass after it, so callers see their changes. */
  refresh(): Promise<void> {
    if (this.#running !== null) {
      this.#again ??= this.#running.then(() => {
        this.#again = null;
        return this.refresh();
      });
      return this.#again;
    }
    return this.#pass();
  }

  /** Forgets environments no longer listed and checks the new and changed ones. */
  #pass(): Promise<void> {
    const wanted = listConfigured(this.#cfg);
    const jobs: Array<Promise<void>> = [];
    for (const name of [...this.#state.keys()]) {
      if (!wanted.some((e) => e.name === name)) this.#state.delete(name);
    }
    for (const e of wanted) {
      const fp = fingerprint(e.prefix);
      const known = this.#state.get(e.name);
      if (known !== undefined && known.fp === fp && known.prefix === e.prefix) continue;
      if (known === undefined) {
        this.#state.set(e.name, {
          ...e,
          state: 'pending',
          detail: '',
          versions: {},
          checkedAt: null,
          fp,
        });
      }
      jobs.push(this.#check(e, fp));
    }
    this.#running = Promise.all(jobs).then(() => {
      this.#running = null;
    });
    return this.#running;
  }

  /** Checks one environment and records what the check found. */
  async #check(e: Configured, fp: string): Promise<void> {
    const { name, prefix, groups } = e;
    const python = path.join(prefix, 'bin', 'python');
    if (this.#inImage && !existsSync(python)) {
      const detail = `unchecked: ${python} is not on the gateway's machine; it is expected inside the cluster image`;
      this.#state.set(name, { ...e, state: 'ok', detail, versions: {}, checkedAt: null, fp });
      this.#log.info({ environment: name, prefix }, 'environment offered unchecked');
      return;
    }
    const { ok, detail, versions } = await checkEnvironment(prefix, this.#runAs);
    this.#state.set(name, {
      name,
      prefix,
      groups,
      state: ok ? 'ok' : 'broken',
      detail,
      versions,
      checkedAt: this.#now(),
      fp,
    });
    if (!ok) {
      this.#log.warn(
        { environment: name, prefix, detail },
        'environment not offered: check failed'
      );
    }
  }
}

/** Creates the catalog and starts the first checks. */
export function createEnvironmentCatalog(
  cfg: EnvironmentsConfig,
  log: Logger,
  now: () => number,
  runAs: CheckIdentity | null = null,
  inImage = false
): EnvironmentCatalog {
  const catalog = new Catalog(cfg, log, now, runAs, inImage);
  void catalog.refresh();
  return catalog;
}
