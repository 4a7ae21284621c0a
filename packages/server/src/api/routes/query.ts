/**
 * Parsing of the query parameters the client sends: `?wait` and `?status=` (spec §1.6, §1.8).
 * @module
 */
import { CLUSTER_STATUSES } from '@gatehouse/api';
import { invalid } from '../../errors.js';

/** `?wait` semantics: absent → false, empty → true, else a non-zero integer. */
export function parseWait(value: unknown): boolean {
  if (value === undefined) return false;
  const v: unknown = Array.isArray(value) ? (value as unknown[])[0] : value;
  if (v === '') return true;
  if (typeof v !== 'string' || !/^\s*[+-]?\d+\s*$/.test(v)) return false;
  return Number(v) !== 0;
}

/** `?status=A,B` → set of upper-case names, or null when absent; 422 on unknown names. */
export function parseStatuses(value: unknown): Set<string> | null {
  if (value === undefined) return null;
  const v = Array.isArray(value)
    ? value.map(String).join(',')
    : typeof value === 'string'
      ? value
      : '';
  const out = new Set<string>();
  for (const token of v.split(',')) {
    const name = token.trim().toUpperCase();
    if (!(CLUSTER_STATUSES as readonly string[]).includes(name)) {
      throw invalid(`'${token.trim()}' is not a valid ClusterStatus`);
    }
    out.add(name);
  }
  return out;
}
