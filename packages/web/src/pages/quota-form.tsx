/**
 * The inline quota form of the admin quotas section: four limits, each empty for "no limit",
 * checked field by field (with the label the admin sees) before anything is sent.
 * @module
 */
import { useId, useState } from 'react';
import { formatBytes, formatCores, formatCount } from '@gatehouse/api';
import type { QuotaValues } from './admin-calls.js';

const GIB = 2 ** 30;
const UNSET_HINT =
  'Leave a field empty when the group does not set it; type "no limit" for unlimited.';

/** A quota's keys, each optional (a group may leave one unset); `null` is unlimited. */
export type PartialQuota = Partial<QuotaValues>;

const FIELDS = [
  { key: 'max_clusters', label: 'Active clusters', integer: true, unit: '' },
  { key: 'max_workers', label: 'Workers', integer: true, unit: '' },
  { key: 'max_cores', label: 'Cores', integer: false, unit: '' },
  { key: 'max_memory', label: 'Memory', integer: false, unit: 'GiB' },
] as const;

type Key = (typeof FIELDS)[number]['key'];

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
function initial(key: Key, v: number | null | undefined, unset: boolean): string {
  if (v === undefined) return '';
  if (v === null) return unset ? 'no limit' : '';
  return key === 'max_memory' ? String(Number((v / GIB).toFixed(3))) : String(v);
}

/** Checks one field's text: the number to store (`null` for empty) or the message to show. */
function parse(
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

/**
 * The form; `onSave` gets the limits, `onReset` (when given) removes the override. An empty
 * field means no limit, or with `emptyUnsets` (a group's) that the group does not set it.
 */
export function QuotaForm(props: {
  who: string;
  quota: PartialQuota;
  emptyUnsets?: boolean;
  onSave: (q: PartialQuota) => void;
  onCancel: () => void;
  onReset?: () => void;
  resetLabel?: string;
}) {
  const { who, quota, onSave, onCancel, onReset, resetLabel } = props;
  const unset = props.emptyUnsets === true;
  const id = useId();
  const [text, setText] = useState<Record<Key, string>>(() => ({
    max_clusters: initial('max_clusters', quota.max_clusters, unset),
    max_workers: initial('max_workers', quota.max_workers, unset),
    max_cores: initial('max_cores', quota.max_cores, unset),
    max_memory: initial('max_memory', quota.max_memory, unset),
  }));
  const [errors, setErrors] = useState<Partial<Record<Key, string>>>({});
  return (
    <form
      className="quota-form"
      noValidate
      aria-label={`Quota of ${who}`}
      onSubmit={(e) => {
        e.preventDefault();
        const found: Partial<Record<Key, string>> = {};
        const out: PartialQuota = {};
        for (const f of FIELDS) {
          const r = parse(f, text[f.key], unset);
          if ('error' in r) found[f.key] = r.error;
          else if (r.value !== undefined) out[f.key] = r.value;
        }
        setErrors(found);
        if (Object.keys(found).length === 0) onSave(out);
      }}
    >
      {FIELDS.map((f) => {
        const err = errors[f.key];
        return (
          <label key={f.key}>
            {f.label}
            {f.unit === '' ? '' : ` (${f.unit})`}
            <input
              name={f.key}
              inputMode="decimal"
              placeholder={unset ? 'not set' : 'no limit'}
              value={text[f.key]}
              aria-invalid={err !== undefined}
              aria-describedby={err === undefined ? undefined : `${id}-${f.key}`}
              onChange={(e) => {
                setText({ ...text, [f.key]: e.target.value });
              }}
            />
            {err !== undefined && (
              <span id={`${id}-${f.key}`} className="field-error" role="alert">
                {err}
              </span>
            )}
          </label>
        );
      })}
      <p className="muted actions">{unset ? UNSET_HINT : 'Leave a field empty for no limit.'}</p>
      <div className="actions">
        <button type="submit">Save quota</button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
        {onReset !== undefined && (
          <button type="button" onClick={onReset}>
            {resetLabel ?? 'Back to the configured quota'}
          </button>
        )}
      </div>
    </form>
  );
}
