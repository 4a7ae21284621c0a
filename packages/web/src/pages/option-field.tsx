/**
 * One field of the new-cluster form: its label, the input its option type calls for (a select
 * whose choices may show their size, a checkbox, a number, rows of variables for a mapping,
 * else text) and its error right below it.
 * @module
 */
import type { OptionEntry } from '@gatehouse/api';
import { rowsOf } from '../option-checks.js';
import { EnvRows } from './env-rows.js';

/** What each input gets: the field, its element id, its value and the setter. */
interface InputProps {
  readonly entry: OptionEntry;
  readonly id: string;
  readonly value: unknown;
  readonly set: (v: unknown) => void;
  /** The text of a select's choice (default: the choice itself). */
  readonly describe?: ((choice: string) => string) | undefined;
  /** The ARIA attributes that tie the input to its error. */
  readonly aria: Readonly<Record<string, string | boolean>>;
}

function SelectInput({ entry, id, value, set, describe, aria }: InputProps) {
  const options = entry.spec.type === 'select' ? entry.spec.options : [];
  return (
    <select
      id={id}
      name={entry.field}
      value={String(value)}
      {...aria}
      onChange={(e) => {
        set(e.target.value);
      }}
    >
      {options.map((o) => (
        <option key={o} value={o}>
          {describe === undefined ? o : describe(o)}
        </option>
      ))}
    </select>
  );
}

function NumberInput({ entry, id, value, set, aria }: InputProps) {
  const spec = entry.spec;
  if (spec.type !== 'int' && spec.type !== 'float') return null;
  return (
    <input
      id={id}
      name={entry.field}
      type="number"
      step={spec.type === 'int' ? 1 : 'any'}
      {...(spec.min === null ? {} : { min: spec.min })}
      {...(spec.max === null ? {} : { max: spec.max })}
      value={String(value)}
      {...aria}
      onChange={(e) => {
        set(e.target.value === '' ? '' : Number(e.target.value));
      }}
    />
  );
}

function OptionInput(props: InputProps) {
  const { entry, id, value, set, aria } = props;
  switch (entry.spec.type) {
    case 'select':
      return <SelectInput {...props} />;
    case 'bool':
      return (
        <input
          id={id}
          name={entry.field}
          type="checkbox"
          checked={value === true}
          {...aria}
          onChange={(e) => {
            set(e.target.checked);
          }}
        />
      );
    case 'int':
    case 'float':
      return <NumberInput {...props} />;
    case 'mapping':
      return (
        <EnvRows
          id={id}
          rows={rowsOf(value)}
          set={set}
          invalid={aria['aria-invalid'] === true}
          {...(typeof aria['aria-describedby'] === 'string'
            ? { describedBy: aria['aria-describedby'] }
            : {})}
        />
      );
    default:
      return (
        <input
          id={id}
          name={entry.field}
          value={typeof value === 'string' ? value : ''}
          {...aria}
          onChange={(e) => {
            set(e.target.value);
          }}
        />
      );
  }
}

/** A labelled input for one cluster option, with its error (if any) beside it. */
export function OptionField(props: {
  entry: OptionEntry;
  value: unknown;
  set: (v: unknown) => void;
  error?: string | undefined;
  describe?: ((choice: string) => string) | undefined;
}) {
  const { entry, error } = props;
  const id = `opt-${entry.field}`;
  const errorId = `${id}-error`;
  const aria = error === undefined ? {} : { 'aria-invalid': true, 'aria-describedby': errorId };
  const mapping = entry.spec.type === 'mapping';
  return (
    <div className={mapping ? 'field field-wide' : 'field'}>
      {mapping ? (
        <span className="label" id={`${id}-label`}>
          {entry.label}
        </span>
      ) : (
        <label htmlFor={id}>{entry.label}</label>
      )}
      <OptionInput {...props} id={id} aria={aria} />
      {error !== undefined && (
        <p
          className="error field-error"
          id={errorId}
          role="alert"
          data-testid={`error-${entry.field}`}
        >
          {error}
        </p>
      )}
    </div>
  );
}
