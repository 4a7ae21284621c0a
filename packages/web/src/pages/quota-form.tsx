/**
 * The inline quota form of the admin quotas section: four limits, each empty for "no limit",
 * checked field by field (with the label the admin sees) before anything is sent.
 * @module
 */
import { useId, useState } from 'react';
import { FIELDS, initial, readQuota, type Key, type PartialQuota } from './quota-values.js';

export { quotaCells, quotaSummary, type PartialQuota } from './quota-values.js';

const UNSET_HINT =
  'Leave a field empty when the group does not set it; type "no limit" for unlimited.';

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
        const { quota: out, errors: found } = readQuota(text, unset);
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
