/**
 * Parses the quota JSON admins send (`{"max_clusters": 2, "max_memory": "32 G"}`) into a quota.
 * @module
 */
import { isRecord } from '../cluster-options/guards.js';
import { parseMemory } from '../cluster-options/memory.js';
import { invalid } from '../errors.js';
import type { Quota } from './quota.js';

/** The internal key of each wire key, as overrides were stored before wire keys were. */
const STORED_KEYS: Readonly<Record<string, string>> = {
  maxClusters: 'max_clusters',
  maxWorkers: 'max_workers',
  maxCores: 'max_cores',
  maxMemory: 'max_memory',
};

/**
 * Parses a stored quota override: the body the admin sent, or (stored by older versions) the
 * parsed quota with its internal key names.
 */
export function parseStoredQuota(json: string): Partial<Quota> {
  const v: unknown = JSON.parse(json);
  if (!isRecord(v)) return parseQuotaBody(v);
  return parseQuotaBody(
    Object.fromEntries(Object.entries(v).map(([k, x]) => [STORED_KEYS[k] ?? k, x]))
  );
}

/** Parses a quota body: keys max_clusters, max_workers, max_cores, max_memory (null = unlimited). */
export function parseQuotaBody(body: unknown): Partial<Quota> {
  if (!isRecord(body)) throw invalid('The quota must be a JSON object, e.g. {"max_clusters": 2}');
  const out: { -readonly [K in keyof Quota]?: number | null } = {};
  const keys = {
    max_clusters: 'maxClusters',
    max_workers: 'maxWorkers',
    max_cores: 'maxCores',
    max_memory: 'maxMemory',
  } as const;
  for (const [k, v] of Object.entries(body)) {
    if (!(k in keys))
      throw invalid(`Unknown quota key '${k}'; use ${Object.keys(keys).join(', ')}`);
    const key = keys[k as keyof typeof keys];
    if (v === null) out[key] = null;
    else if (key === 'maxMemory') {
      if (typeof v === 'number' && v < 0) throw invalid(`${k} must not be negative, got ${v}`);
      out[key] = parseMemory(v, k);
    } else if (typeof v === 'number' && v >= 0 && (key === 'maxCores' || Number.isInteger(v)))
      out[key] = v;
    else
      throw invalid(
        `${k} must be ${key === 'maxCores' ? 'a number' : 'an integer'} >= 0 or null, got ${JSON.stringify(v)}`
      );
  }
  return out;
}
