/**
 * New cluster: a form generated from the user's option spec (`GET /api/v1/options`), whose
 * profile choices show their worker size, with what the pool and the quota allow now
 * (`GET /api/v1/pool`), an initial worker count, and each field's error beside it, named by its
 * label. After a create the page moves to the cluster's page, which starts the initial workers.
 * @module
 */
import { useEffect, useState } from 'react';
import type { OptionEntry } from '@gatehouse/api';
import { formatBytes, formatCores, formatCount } from '../format.js';
import type { PoolState } from '../gateway-api.js';
import { checkOptions, submittedOptions, withLabel, type FormValues } from '../option-checks.js';
import type { PageProps } from '../page-kit.js';
import { OptionField } from './option-field.js';
import { LoadingPage } from './states.js';

type NewCluster = PoolState['new_cluster'][number];

/** The pool's line for a profile (or the only line when no profiles are offered). */
function lineFor(pool: PoolState | null, profile: unknown): NewCluster | undefined {
  return pool?.new_cluster.find((n) => n.profile === profile || n.profile === null);
}

function PoolHint({ line }: { line: NewCluster | undefined }) {
  if (line === undefined) return null;
  const why =
    line.limited_by === 'quota'
      ? ' (limited by your quota)'
      : line.limited_by === 'pool'
        ? ' (limited by the shared pool)'
        : '';
  return (
    <p className="hint" data-testid="pool-hint">
      A new cluster{line.profile === null ? '' : ` of ${line.profile}`} can have up to{' '}
      {formatCount(line.workers_now, 'worker')} now{why}: each worker has{' '}
      {formatCores(line.worker_cores)} and {formatBytes(line.worker_memory)}.
    </p>
  );
}

/** The initial worker count, with its error. */
function WorkersField(props: {
  value: string;
  set: (v: string) => void;
  error: string | undefined;
}) {
  const { value, set, error } = props;
  return (
    <div className="field">
      <label htmlFor="new-workers">Workers to start</label>
      <input
        id="new-workers"
        type="number"
        min="0"
        step="1"
        value={value}
        {...(error === undefined
          ? {}
          : { 'aria-invalid': true, 'aria-describedby': 'new-workers-error' })}
        onChange={(e) => {
          set(e.target.value);
        }}
      />
      {error !== undefined && (
        <p className="error field-error" id="new-workers-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The form's state and its submission. */
function useNewCluster({ api, go }: PageProps) {
  const [entries, setEntries] = useState<OptionEntry[] | null>(null);
  const [pool, setPool] = useState<PoolState | null>(null);
  const [values, setValues] = useState<FormValues>({});
  const [workers, setWorkers] = useState('0');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api.options().then(
      (opts) => {
        setEntries(opts);
        setValues(Object.fromEntries(opts.map((o) => [o.field, o.default])));
      },
      (e: unknown) => {
        setError(e instanceof Error ? e.message : String(e));
      }
    );
    api.pool().then(setPool, () => undefined);
  }, [api]);
  const submit = async (list: OptionEntry[]) => {
    const found = checkOptions(list, values);
    const n = Number(workers);
    if (workers.trim() === '' || !Number.isInteger(n) || n < 0)
      found.workers = 'Workers to start must be a whole number, 0 or more.';
    setErrors(found);
    setError('');
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const name = await api.create(submittedOptions(list, values));
      // The cluster page scales once the scheduler runs (a pending cluster cannot scale).
      go(`/clusters/${encodeURIComponent(name)}${n > 0 ? `?workers=${String(n)}` : ''}`);
    } catch (err) {
      setBusy(false);
      const msg = err instanceof Error ? err.message : String(err);
      const field = (err as { field?: unknown }).field;
      const entry = list.find((x) => x.field === field);
      if (entry === undefined) setError(msg);
      else setErrors({ [entry.field]: withLabel(entry, msg) });
    }
  };
  return { entries, pool, values, setValues, workers, setWorkers, errors, error, busy, submit };
}

/** The new-cluster form. */
export function NewClusterPage(props: PageProps) {
  const f = useNewCluster(props);
  const { entries, pool, values, errors } = f;
  if (entries === null) return <LoadingPage title="New cluster" error={f.error} />;
  const profiles = new Set(pool?.new_cluster.map((n) => n.profile));
  const profileField = entries.find(
    (e) => e.spec.type === 'select' && e.spec.options.some((o) => profiles.has(o))
  );
  const describe = (choice: string) => {
    const line = pool?.new_cluster.find((n) => n.profile === choice);
    return line === undefined
      ? choice
      : `${choice} (${formatCores(line.worker_cores)}, ${formatBytes(line.worker_memory)})`;
  };
  const line = lineFor(pool, profileField === undefined ? null : values[profileField.field]);
  return (
    <section>
      <h1>New cluster</h1>
      <form
        className="options"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void f.submit(entries);
        }}
      >
        {entries.length === 0 && (
          <p>This gateway offers no options: the cluster uses the defaults.</p>
        )}
        {entries.map((entry) => (
          <OptionField
            key={entry.field}
            entry={entry}
            value={values[entry.field]}
            error={errors[entry.field]}
            describe={entry === profileField ? describe : undefined}
            set={(v) => {
              f.setValues({ ...values, [entry.field]: v });
            }}
          />
        ))}
        <WorkersField value={f.workers} set={f.setWorkers} error={errors.workers} />
        <PoolHint line={line} />
        <button type="submit" disabled={f.busy}>
          {f.busy ? 'Creating…' : 'Create cluster'}
        </button>
        {f.error !== '' && (
          <p className="error" role="alert">
            {f.error}
          </p>
        )}
      </form>
    </section>
  );
}
