/**
 * New cluster: a form generated from the user's option spec (`GET /api/v1/options`). The API
 * validates the submission; its messages are shown as they are. After a create the page moves
 * to the cluster's page, where its start sequence shows live.
 * @module
 */
import { useEffect, useState } from 'react';
import type { OptionEntry } from '@gatehouse/api';
import type { PageProps } from '../page-kit.js';
import { OptionField } from './option-field.js';

type Values = Record<string, unknown>;

/** `NAME=value` lines as an object (mapping fields). */
export function parseMapping(text: string): Values {
  const out: Values = {};
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (t === '') continue;
    const eq = t.indexOf('=');
    if (eq < 0) out[t] = '';
    else out[t.slice(0, eq).trim()] = t.slice(eq + 1);
  }
  return out;
}

/** The new-cluster form. */
export function NewClusterPage({ api, go }: PageProps) {
  const [entries, setEntries] = useState<OptionEntry[] | null>(null);
  const [values, setValues] = useState<Values>({});
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
  }, [api]);
  if (entries === null)
    return <section>{error === '' ? <p>Loading…</p> : <p className="error">{error}</p>}</section>;
  return (
    <section>
      <h1>New cluster</h1>
      <form
        className="options"
        onSubmit={(e) => {
          e.preventDefault();
          setError('');
          setBusy(true);
          const submitted: Values = {};
          for (const entry of entries) {
            const v = values[entry.field];
            submitted[entry.field] =
              entry.spec.type === 'mapping' && typeof v === 'string' ? parseMapping(v) : v;
          }
          api.create(submitted).then(
            (name) => {
              go(`/clusters/${encodeURIComponent(name)}`);
            },
            (err: unknown) => {
              setBusy(false);
              setError(err instanceof Error ? err.message : String(err));
            }
          );
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
            set={(v) => {
              setValues({ ...values, [entry.field]: v });
            }}
          />
        ))}
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create cluster'}
        </button>
        {error !== '' && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
