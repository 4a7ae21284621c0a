/**
 * Reading and checking cluster option field definitions at configuration load: every problem
 * of the admin's YAML list is reported at once, naming the field and key (spec §4).
 * @module
 */
import { GatewayError } from '../errors.js';
import { isRecord } from './guards.js';
import { pyRepr } from './python-repr.js';
import {
  fieldDefault,
  validateFieldValue,
  type OptionField,
  type OptionFieldType,
  type SelectOption,
} from './fields.js';

/** Every field kind, in documentation order. */
const FIELD_TYPES: readonly OptionFieldType[] = [
  'int',
  'float',
  'string',
  'bool',
  'select',
  'mapping',
];

const ALLOWED_KEYS: Readonly<Record<OptionFieldType, readonly string[]>> = {
  int: ['min', 'max'],
  float: ['min', 'max'],
  string: [],
  bool: [],
  select: ['options', 'apply'],
  mapping: [],
};

const COMMON_KEYS: readonly string[] = ['type', 'field', 'label', 'target', 'default'];

function isFieldType(value: unknown): value is OptionFieldType {
  return FIELD_TYPES.some((t) => t === value);
}

/** Collects problems for one raw field definition. */
class FieldReader {
  readonly problems: string[] = [];
  private readonly raw: Record<string, unknown>;
  private readonly where: string;

  constructor(raw: Record<string, unknown>, index: number) {
    this.raw = raw;
    const name = raw['field'];
    this.where =
      typeof name === 'string' && name !== '' ? `fields[${index}] (${name})` : `fields[${index}]`;
  }

  report(message: string): void {
    this.problems.push(`${this.where}: ${message}`);
  }

  /** A string property that may be missing or null; reports other types. */
  optionalString(key: string): string | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    this.report(`${key} must be a string, got ${pyRepr(v)}`);
    return undefined;
  }

  /** A numeric bound that may be missing or null; integral for int fields. */
  bound(key: 'min' | 'max', integral: boolean): number | null {
    const v = this.raw[key];
    if (v === undefined || v === null) return null;
    if (typeof v === 'number' && (integral ? Number.isInteger(v) : Number.isFinite(v))) return v;
    this.report(`${key} must be ${integral ? 'an integer' : 'a number'} or null, got ${pyRepr(v)}`);
    return null;
  }

  /** Select options in any accepted form: `key`, `[key, value]` or `{key, value}`. */
  selectOptions(): SelectOption[] {
    const v = this.raw['options'];
    if (!Array.isArray(v)) {
      this.report(`options must be a list, got ${pyRepr(v)}`);
      return [];
    }
    const out: SelectOption[] = [];
    v.forEach((item: unknown, j) => {
      const option = readSelectOption(item);
      if (option === null) {
        this.report(
          `options[${j}] must be a key string, a [key, value] pair or {key, value}, ` +
            `got ${pyRepr(item)}`
        );
      } else if (out.some((o) => o.key === option.key)) {
        this.report(`duplicate option key ${pyRepr(option.key)}`);
      } else {
        out.push(option);
      }
    });
    if (v.length === 0) this.report('a select needs at least one option');
    return out;
  }
}

/** One select option from YAML, or null when it has none of the accepted shapes. */
function readSelectOption(item: unknown): SelectOption | null {
  if (typeof item === 'string') return { key: item };
  if (Array.isArray(item)) {
    const [key, value] = item as unknown[];
    if (item.length !== 2 || typeof key !== 'string') return null;
    return { key, value: structuredClone(value) };
  }
  if (isRecord(item)) {
    const key = item['key'];
    if (typeof key !== 'string' || Object.keys(item).some((k) => k !== 'key' && k !== 'value')) {
      return null;
    }
    return Object.hasOwn(item, 'value') && item['value'] !== undefined
      ? { key, value: structuredClone(item['value']) }
      : { key };
  }
  return null;
}

/** The message of a validation failure, or null when `check` passes. */
function failure(check: () => unknown): string | null {
  try {
    check();
    return null;
  } catch (err) {
    if (err instanceof GatewayError) return err.message;
    throw err;
  }
}

/** Reads one raw definition into a typed field, reporting every problem found. */
function readField(raw: unknown, index: number, problems: string[]): OptionField | null {
  if (!isRecord(raw)) {
    problems.push(`fields[${index}]: must be a mapping, got ${pyRepr(raw)}`);
    return null;
  }
  const r = new FieldReader(raw, index);
  const field = raw['field'];
  const type = raw['type'];
  if (typeof field !== 'string' || field === '') {
    r.report(`field must be a non-empty string, got ${pyRepr(field)}`);
  }
  if (!isFieldType(type)) {
    r.report(`type must be one of ${pyRepr(FIELD_TYPES)}, got ${pyRepr(type)}`);
  } else {
    for (const key of Object.keys(raw)) {
      if (!COMMON_KEYS.includes(key) && !ALLOWED_KEYS[type].includes(key)) {
        r.report(`unknown key ${pyRepr(key)} for a ${type} field`);
      }
    }
  }
  const label = r.optionalString('label');
  const target = r.optionalString('target');
  if (typeof field !== 'string' || field === '' || !isFieldType(type)) {
    problems.push(...r.problems);
    return null;
  }
  const common = {
    field,
    ...(label !== undefined ? { label } : {}),
    ...(target !== undefined ? { target } : {}),
  };
  const base = buildField(type, common, r);
  const rawDefault = raw['default'];
  const hasDefault =
    rawDefault !== undefined && !(rawDefault === null && (type === 'select' || type === 'mapping'));
  // Validate the explicit default, or the implicit one (an int with min 1 and no default fails).
  const noChoices = base.type === 'select' && base.options.length === 0;
  const message = noChoices
    ? null
    : failure(() => validateFieldValue(base, hasDefault ? rawDefault : fieldDefault(base)));
  if (message !== null) r.report(`default: ${message}`);
  const result = message === null && hasDefault ? withDefault(base, rawDefault) : base;
  problems.push(...r.problems);
  return result;
}

/** Builds the typed field (without default) and checks type-specific properties. */
function buildField(
  type: OptionFieldType,
  common: { field: string; label?: string; target?: string },
  r: FieldReader
): OptionField {
  switch (type) {
    case 'int':
    case 'float': {
      const min = r.bound('min', type === 'int');
      const max = r.bound('max', type === 'int');
      if (min !== null && max !== null && min > max) {
        r.report(`min ${pyRepr(min)} is greater than max ${pyRepr(max)}`);
      }
      return { ...common, type, min, max };
    }
    case 'string':
    case 'bool':
    case 'mapping':
      return { ...common, type };
    case 'select': {
      const options = r.selectOptions();
      const apply = r.optionalString('apply');
      if (apply === undefined) return { ...common, type, options };
      if (apply !== 'merge') {
        r.report(`apply must be 'merge' or absent, got ${pyRepr(apply)}`);
        return { ...common, type, options };
      }
      if (common.target !== undefined) r.report("apply: 'merge' cannot be combined with target");
      for (const o of options) {
        const value = o.value === undefined ? o.key : o.value;
        if (!isRecord(value)) {
          r.report(`option ${pyRepr(o.key)} needs a mapping value for apply: 'merge'`);
        }
      }
      return { ...common, type, options, apply };
    }
  }
}

/** Adds a default that already passed validation, narrowing it to the field's type. */
function withDefault(f: OptionField, value: unknown): OptionField {
  switch (f.type) {
    case 'int':
    case 'float':
      return typeof value === 'number' ? { ...f, default: value } : f;
    case 'string':
    case 'select':
      return typeof value === 'string' ? { ...f, default: value } : f;
    case 'bool':
      return typeof value === 'boolean' ? { ...f, default: value } : f;
    case 'mapping':
      return isRecord(value) ? { ...f, default: structuredClone(value) } : f;
  }
}

/** Reads a list of raw definitions, collecting problems (including duplicate names). */
function readFields(raw: unknown): { fields: OptionField[]; problems: string[] } {
  const problems: string[] = [];
  if (!Array.isArray(raw)) {
    return { fields: [], problems: [`fields must be a list, got ${pyRepr(raw)}`] };
  }
  const fields: OptionField[] = [];
  raw.forEach((item: unknown, i) => {
    const f = readField(item, i, problems);
    if (f === null) return;
    if (fields.some((g) => g.field === f.field)) {
      problems.push(`fields[${i}] (${f.field}): duplicate field name ${pyRepr(f.field)}`);
    }
    fields.push(f);
  });
  return { fields, problems };
}

/**
 * Lists problems with option field definitions, for configuration load: wrong shapes or types,
 * unknown keys, duplicate field names, a select with no options or duplicate keys, a default
 * failing its own field's validation (including an implicit `0` outside the bounds), `min > max`,
 * and `apply: 'merge'` with a `target` or with non-object values. Accepts typed fields or raw
 * decoded YAML (where select options may also be bare keys or `[key, value]` pairs).
 *
 * @returns human-readable problems such as `fields[1] (profile): default: 'huge' is not a valid
 *   option for profile`; empty when the definitions are usable.
 */
export function checkFieldDefinitions(fields: unknown): string[] {
  return readFields(fields).problems;
}

/**
 * Reads raw decoded YAML/JSON field definitions into typed fields, normalizing select options to
 * `{key, value?}` and dropping `null` labels, targets and bounds.
 *
 * @throws Error listing every problem from {@link checkFieldDefinitions}, one per line.
 */
export function parseFieldDefinitions(raw: unknown): OptionField[] {
  const { fields, problems } = readFields(raw);
  if (problems.length > 0) {
    throw new Error(`Invalid cluster option fields:\n  ${problems.join('\n  ')}`);
  }
  return fields;
}
