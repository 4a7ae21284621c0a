/**
 * One field of the new-cluster form: its label and the input its option type calls for (a
 * select, a checkbox, a number, `NAME=value` lines for a mapping, else text).
 * @module
 */
import type { OptionEntry } from '@gatehouse/api';

/** What each input gets: the field, its element id, its value and the setter. */
interface InputProps {
  readonly entry: OptionEntry;
  readonly id: string;
  readonly value: unknown;
  readonly set: (v: unknown) => void;
}

function SelectInput({ entry, id, value, set }: InputProps) {
  const options = entry.spec.type === 'select' ? entry.spec.options : [];
  return (
    <select
      id={id}
      name={entry.field}
      value={String(value)}
      onChange={(e) => {
        set(e.target.value);
      }}
    >
      {options.map((o) => (
        <option key={o} value={o}>
          {o}
        </option>
      ))}
    </select>
  );
}

function NumberInput({ entry, id, value, set }: InputProps) {
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
      onChange={(e) => {
        set(e.target.value === '' ? '' : Number(e.target.value));
      }}
    />
  );
}

function MappingInput({ entry, id, value, set }: InputProps) {
  return (
    <textarea
      id={id}
      name={entry.field}
      placeholder="NAME=value, one per line"
      value={
        typeof value === 'string'
          ? value
          : Object.entries((value ?? {}) as Record<string, unknown>)
              .map(([k, v]) => `${k}=${String(v)}`)
              .join('\n')
      }
      onChange={(e) => {
        set(e.target.value);
      }}
    />
  );
}

function OptionInput(props: InputProps) {
  const { entry, id, value, set } = props;
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
          onChange={(e) => {
            set(e.target.checked);
          }}
        />
      );
    case 'int':
    case 'float':
      return <NumberInput {...props} />;
    case 'mapping':
      return <MappingInput {...props} />;
    default:
      return (
        <input
          id={id}
          name={entry.field}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => {
            set(e.target.value);
          }}
        />
      );
  }
}

/** A labelled input for one cluster option. */
export function OptionField(props: {
  entry: OptionEntry;
  value: unknown;
  set: (v: unknown) => void;
}) {
  const id = `opt-${props.entry.field}`;
  return (
    <div className="field">
      <label htmlFor={id}>{props.entry.label}</label>
      <OptionInput {...props} id={id} />
    </div>
  );
}
