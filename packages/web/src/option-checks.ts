/**
 * The new-cluster form's values and their checks before submit: environment variables as rows
 * (name, value) turned into the mapping the API takes, and a message per field that names the
 * label users see, never the internal field name.
 * @module
 */
import type { OptionEntry } from '@gatehouse/api';

/** One environment variable being edited. */
export interface EnvRow {
  readonly name: string;
  readonly value: string;
}

/** The form's value of each field (rows for mappings). */
export type FormValues = Readonly<Record<string, unknown>>;

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The rows of a mapping's value (an object, or rows already). */
export function rowsOf(value: unknown): EnvRow[] {
  if (Array.isArray(value)) return value as EnvRow[];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).map(([name, v]) => ({
    name,
    value: String(v),
  }));
}

/** What is wrong with a mapping's rows, or null. Blank rows are ignored. */
function checkRows(label: string, rows: readonly EnvRow[]): string | null {
  const seen = new Set<string>();
  for (const r of rows) {
    const name = r.name.trim();
    if (name === '' && r.value === '') continue;
    if (name === '') return `${label}: a variable with a value needs a name.`;
    if (!VAR_NAME.test(name))
      return `${label}: "${name}" is not a valid variable name (letters, digits and _, not starting with a digit).`;
    if (seen.has(name)) return `${label}: ${name} is set twice.`;
    seen.add(name);
  }
  return null;
}

/** What is wrong with one field's value, or null. */
function checkField(entry: OptionEntry, value: unknown): string | null {
  const { label, spec } = entry;
  switch (spec.type) {
    case 'mapping':
      return checkRows(label, rowsOf(value));
    case 'int':
    case 'float': {
      if (value === '' || typeof value !== 'number' || Number.isNaN(value))
        return `${label} must be a number.`;
      if (spec.type === 'int' && !Number.isInteger(value))
        return `${label} must be a whole number.`;
      if (spec.min !== null && value < spec.min)
        return `${label} must be at least ${String(spec.min)}.`;
      if (spec.max !== null && value > spec.max)
        return `${label} must be at most ${String(spec.max)}.`;
      return null;
    }
    default:
      return null;
  }
}

/** The message of each field that is wrong (none: the form may be submitted). */
export function checkOptions(
  entries: readonly OptionEntry[],
  values: FormValues
): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const e of entries) {
    const msg = checkField(e, values[e.field]);
    if (msg !== null) errors[e.field] = msg;
  }
  return errors;
}

/** The options to submit: mappings' rows as objects (blank rows left out). */
export function submittedOptions(
  entries: readonly OptionEntry[],
  values: FormValues
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const e of entries) {
    const v = values[e.field];
    out[e.field] =
      e.spec.type === 'mapping'
        ? Object.fromEntries(
            rowsOf(v)
              .filter((r) => r.name.trim() !== '')
              .map((r) => [r.name.trim(), r.value])
          )
        : v;
  }
  return out;
}

/** A server message about `entry` with its internal field name replaced by its label. */
export function withLabel(entry: OptionEntry, message: string): string {
  return message.split(entry.field).join(entry.label);
}
