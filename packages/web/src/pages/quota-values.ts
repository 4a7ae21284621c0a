/**
 * The admin quota form's values: reading each field (empty, "no limit", a number; memory in GiB)
 * with a message naming the field's label, and each limit in words.
 * @module
 */
import { formatBytes, formatCores, formatCount } from '@gatehouse/api';
import type { QuotaValues } from './admin-calls.js';

const GIB = 2 ** 30;

/** A quota's keys, each optional (a group may leave one unset); `null` is unlimited. */
export type PartialQuota = Partial<QuotaValues>;

/** The four limits, in the form's order, with the labels the admin sees. */
export const FIELDS = [
  { key: 'max_clusters', label: 'Active clusters', integer: true, unit: '' },
  { key: 'max_workers', label: 'Workers', integer: true, unit: '' },
  { key: 'max_cores', label: 'Cores', integer: false, unit: '' },
  { key: 'max_memory', label: 'Memory', integer: false, unit: 'GiB' },
] as const;

/** One limit's key. */
export type Key = (typeof FIELDS)[number]['key'];

/** One limit in words: "no limit", "3 clusters", "8 cores", "16 GiB"; "-" when unset. */
function limitText(key: Key, v: number | null | undefined): string {
  if (v === undefined) return '–';
  if (v === null) return 'no limit';
  if (key === 'max_clusters') return formatCount(v, 'cluster');
  if (key === 'max_workers') return formatCount(v, 'worker');
  if (key === 'max_cores') return formatCores(v);
  return formatBytes(v);
}

/** Each limit in words, in the form's order (clusters, workers, cores, memory). */
export function quotaCells(q: PartialQuota): { label: string; text: string }[] {
  return FIELDS.map((f) => ({ label: f.label, text: limitText(f.key, q[f.key]) }));
}

/** A quota in one line: "3 clusters · no limit · 8 cores · 16 GiB". */
export function quotaSummary(q: PartialQuota): string {
  return FIELDS.map((f) => limitText(f.key, q[f.key])).join(' · ');
}

/** The value a field starts with ('' for the empty meaning, memory in GiB). */
export function initial(key: Key, v: number | null | undefined, unset: boolean): string {
  if (v === undefined) return '';
  if (v === null) return unset ? 'no limit' : '';
  return key === 'max_memory' ? String(Number((v / GIB).toFixed(3))) : String(v);
}

/** Checks one field's text: the number to store (`null` for empty) or the message to show. */
export function parseField(
  f: (typeof FIELDS)[number],
  text: string,
  unset: boolean
): { value: number | null | undefined } | { error: string } {
  const t = text.trim();
  if (t === '') return { value: unset ? undefined : null };
  if (/^(no limit|unlimited)$/i.test(t)) return { value: null };
  const n = Number(t);
  if (!Number.isFinite(n) || n < 0)
    return { error: `${f.label} must be a number of 0 or more, or "no limit".` };
  if (f.integer && !Number.isInteger(n)) return { error: `${f.label} must be a whole number.` };
  if (f.key === 'max_memory') return { value: Math.round(n * GIB) };
  return { value: n };
}

/** Reads the form's texts: the quota to store, or the message of each bad field. */
export function readQuota(
  text: Readonly<Record<Key, string>>,
  unset: boolean
): { quota: PartialQuota; errors: Partial<Record<Key, string>> } {
  const errors: Partial<Record<Key, string>> = {};
  const quota: PartialQuota = {};
  for (const f of FIELDS) {
    const r = parseField(f, text[f.key], unset);
    if ('error' in r) errors[f.key] = r.error;
    else if (r.value !== undefined) quota[f.key] = r.value;
  }
  return { quota, errors };
}
