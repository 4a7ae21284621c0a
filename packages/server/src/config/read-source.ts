/**
 * Reads the raw configuration: given values, the embedded default or a YAML file.
 * @module
 */
import type { BackendRegistry } from '../backends/registry.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { ConfigError } from './config-error.js';

/**
 * What `gatehouse serve` runs without a config file: every authenticated user is let in (the
 * first user goes straight through the seed workflow), at most 3 active clusters per user, and
 * an admin API token printed once at first start. Production settings are default-deny.
 */
export const EMBEDDED_DEFAULTS = Object.freeze({
  access: { grant_all_authenticated: true },
  quotas: { default: { max_clusters: 3 } },
  // The seed's choices: the project environment, two worker sizes, environment variables.
  profiles: [
    { name: 'Small Worker', worker_cores: 2, worker_memory: '8 G', default: true },
    { name: 'Medium Worker', worker_cores: 4, worker_memory: '16 G' },
  ],
  environment_variables: { enabled: true },
});

/** What the loader needs from its surroundings. */
export interface LoadOptions {
  /** Path of a YAML config file; undefined uses the embedded defaults. */
  readonly file?: string | undefined;
  /** Already-parsed settings to use instead of a file (tests, embedding). */
  readonly values?: unknown;
  /** Process environment (read only here). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against when no file is given. */
  readonly cwd?: string;
  /** Python environment used when the config names none (the project's own). */
  readonly defaultPythonEnv: string;
  /** Listen address from the command line, overriding the file. */
  readonly listen?: string | undefined;
  /** The backend types the file may name; the ones this release ships when absent. */
  readonly backends?: BackendRegistry;
}

/** The raw settings, where they came from, and the directory relative paths start from. */
export function readSource(opts: LoadOptions): { raw: unknown; source: string; base: string } {
  const cwd = opts.cwd ?? process.cwd();
  if (opts.values !== undefined) return { raw: opts.values, source: 'values', base: cwd };
  if (opts.file === undefined) {
    const raw = {
      ...structuredClone(EMBEDDED_DEFAULTS),
      environments: { list: [{ name: 'gatehouse', prefix: opts.defaultPythonEnv }] },
    };
    return { raw, source: 'embedded defaults', base: cwd };
  }
  const file = path.resolve(cwd, opts.file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(file, [`cannot read the config file: ${reason}`]);
  }
  try {
    const raw: unknown = parseYaml(text);
    return { raw: raw ?? {}, source: file, base: path.dirname(file) };
  } catch (err) {
    if (err instanceof YAMLParseError) throw new ConfigError(file, [`YAML syntax: ${err.message}`]);
    throw err;
  }
}
