/**
 * Cluster option fields (spec §4): the admin's declaration of what users may set when creating a
 * cluster, the wire specification sent by `GET /api/v1/options`, validation of a submitted
 * `cluster_options` object, and its translation into ClusterConfig overrides.
 *
 * Fields mirror upstream's `Integer`, `Float`, `String`, `Bool`, `Select` and `Mapping`.
 * Each has a `field` (the name users set), an optional `label` (defaults to `field`) and an
 * optional `target` (the override key it feeds; defaults to `field`, never sent to clients).
 *
 * **Profiles.** A select field may declare `apply: 'merge'`. Its options' values must then be
 * objects, and instead of setting one key, the chosen value's entries are merged (shallowly) into
 * the overrides, so one choice sets several ClusterConfig keys at once:
 *
 * ```yaml
 * - type: select
 *   field: profile
 *   default: medium
 *   apply: merge
 *   options:
 *     - [small, { worker_cores: 2, worker_memory: 4 G }]
 *     - [medium, { worker_cores: 4, worker_memory: 8 G }]
 * ```
 *
 * A merge field has no `target`. Overrides are built in declaration order and later fields win
 * on a shared key, so declare a profile first to let individual fields refine it.
 * @module
 */
import type { OptionEntry, OptionSpec } from '@gatehouse/api';
import { GatewayError, invalidOption } from '../errors.js';
import { isIntegral, isRecord } from './guards.js';
import {
  comparePyStrings,
  pyFloatRepr,
  pyFormatFixed,
  pyIntRepr,
  pyRepr,
  pyTypeName,
} from './python-repr.js';

/** Properties every field kind has. */
interface FieldCommon {
  /** The name users set, and the key in the normalized options. */
  readonly field: string;
  /** Human-readable label for widgets; an empty or missing label falls back to `field`. */
  readonly label?: string;
  /** The override key this field feeds (spec §4.3); an empty or missing target means `field`. */
  readonly target?: string;
}

/** An integer option with optional inclusive bounds; the default default is `0`. */
export interface IntegerField extends FieldCommon {
  readonly type: 'int';
  readonly default?: number;
  readonly min?: number | null;
  readonly max?: number | null;
}

/** A float option (integers accepted) with optional inclusive bounds; defaults to `0`. */
export interface FloatField extends FieldCommon {
  readonly type: 'float';
  readonly default?: number;
  readonly min?: number | null;
  readonly max?: number | null;
}

/** A string option; defaults to `''`. */
export interface StringField extends FieldCommon {
  readonly type: 'string';
  readonly default?: string;
}

/** A boolean option; defaults to `false`. */
export interface BoolField extends FieldCommon {
  readonly type: 'bool';
  readonly default?: boolean;
}

/** One choice of a select field. */
export interface SelectOption {
  /** What users pick and what goes over the wire. */
  readonly key: string;
  /** What the override receives; the key itself when absent. Any JSON value. */
  readonly value?: unknown;
}

/** A choice between keys; defaults to the first key. */
export interface SelectField extends FieldCommon {
  readonly type: 'select';
  /** At least one option; keys must be unique. */
  readonly options: readonly SelectOption[];
  readonly default?: string;
  /**
   * `'merge'`: the chosen value is an object whose entries are merged into the overrides
   * (a profile, see the module notes). Not combinable with `target`.
   */
  readonly apply?: 'merge';
}

/** A free-form JSON object option; defaults to `{}`. */
export interface MappingField extends FieldCommon {
  readonly type: 'mapping';
  readonly default?: Readonly<Record<string, unknown>>;
}

/** One option field as an admin declares it (configuration after YAML parsing). */
export type OptionField =
  IntegerField | FloatField | StringField | BoolField | SelectField | MappingField;

/** The `type` tag of an option field. */
export type OptionFieldType = OptionField['type'];

const FIELD_TYPES: readonly OptionFieldType[] = [
  'int',
  'float',
  'string',
  'bool',
  'select',
  'mapping',
];

/** The label sent to clients: `label`, or `field` when the label is missing or empty. */
export function fieldLabel(f: OptionField): string {
  return f.label || f.field;
}

/** The override key of a field: `target`, or `field` when the target is missing or empty. */
export function fieldTarget(f: OptionField): string {
  return f.target || f.field;
}

/**
 * The value used when a request omits the field: the declared default, else `0`, `0`, `''`,
 * `false`, the first select key, or `{}`. Mapping defaults are deep copies.
 */
export function fieldDefault(f: OptionField): unknown {
  switch (f.type) {
    case 'int':
    case 'float':
      return f.default ?? 0;
    case 'string':
      return f.default ?? '';
    case 'bool':
      return f.default ?? false;
    case 'select':
      return f.default ?? f.options[0]?.key ?? '';
    case 'mapping':
      return structuredClone(f.default ?? {});
  }
}

/** The type-specific `spec` object of a field's wire entry. */
function wireSpec(f: OptionField): OptionSpec {
  switch (f.type) {
    case 'int':
    case 'float':
      return { type: f.type, min: f.min ?? null, max: f.max ?? null };
    case 'string':
    case 'bool':
    case 'mapping':
      return { type: f.type };
    case 'select':
      return { type: 'select', options: f.options.map((o) => o.key) };
  }
}

/**
 * The `cluster_options` list of `GET /api/v1/options` (spec §4.1): one entry per field with
 * exactly `field`, `label`, `default` and `spec`. `target`, select values and `apply` stay
 * server-side.
 */
export function optionSpec(fields: readonly OptionField[]): OptionEntry[] {
  return fields.map((f) => ({
    field: f.field,
    label: fieldLabel(f),
    default: fieldDefault(f),
    spec: wireSpec(f),
  }));
}

/** Checks the inclusive bounds of a number field; `shown` is how Python's `str(x)` prints x. */
function checkBounds(f: IntegerField | FloatField, x: number, shown: string): void {
  if (f.min !== undefined && f.min !== null && x < f.min) {
    throw invalidOption(`${f.field} must be >= ${pyFormatFixed(f.min, 6)}, got ${shown}`, f.field);
  }
  if (f.max !== undefined && f.max !== null && x > f.max) {
    throw invalidOption(`${f.field} must be <= ${pyFormatFixed(f.max, 6)}, got ${shown}`, f.field);
  }
}

/**
 * Validates and normalizes one value for a field, with upstream's messages (spec §4.2).
 * Integers must be integral numbers (booleans are rejected); floats accept any number.
 *
 * @returns the normalized value (the same value for every type).
 * @throws GatewayError `invalid_option` naming the field, for example `worker_cores must be <= 4.000000, got 5` or
 *   `'huge' is not a valid option for profile`.
 */
export function validateFieldValue(f: OptionField, x: unknown): unknown {
  switch (f.type) {
    case 'int':
      if (!isIntegral(x))
        throw invalidOption(`${f.field} must be an integer, got ${pyRepr(x)}`, f.field);
      checkBounds(f, x, pyIntRepr(x));
      return x;
    case 'float':
      if (typeof x !== 'number')
        throw invalidOption(`${f.field} must be a float, got ${pyRepr(x)}`, f.field);
      checkBounds(f, x, pyFloatRepr(x));
      return x;
    case 'string':
      if (typeof x !== 'string')
        throw invalidOption(`${f.field} must be a string, got ${pyRepr(x)}`, f.field);
      return x;
    case 'bool':
      if (typeof x !== 'boolean')
        throw invalidOption(`${f.field} must be a bool, got ${pyRepr(x)}`, f.field);
      return x;
    case 'select':
      if (typeof x !== 'string')
        throw invalidOption(`${f.field} must be a string, got ${pyRepr(x)}`, f.field);
      if (!f.options.some((o) => o.key === x)) {
        throw invalidOption(`${pyRepr(x)} is not a valid option for ${f.field}`, f.field);
      }
      return x;
    case 'mapping':
      if (!isRecord(x))
        throw invalidOption(`${f.field} must be a mapping, got ${pyRepr(x)}`, f.field);
      return x;
  }
}

/**
 * Validates a submitted `cluster_options` object (spec §4.2) and returns the normalized options:
 * every declared field, in declaration order, with the submitted value or the default.
 *
 * The caller maps a missing or `null` `cluster_options` to `{}` first (spec §1.7).
 *
 * @throws GatewayError `invalid_option` with, in this order of checks:
 *   `options must be a dict, got '<type>'`, `Unknown fields ['a', 'b']`, then the first
 *   failing field's message from {@link validateFieldValue}.
 */
export function validateOptions(
  fields: readonly OptionField[],
  req: unknown
): Record<string, unknown> {
  if (!isRecord(req)) {
    throw invalidOption(`options must be a dict, got ${pyRepr(pyTypeName(req))}`);
  }
  const known = new Set(fields.map((f) => f.field));
  const extra = Object.keys(req)
    .filter((k) => !known.has(k))
    .sort(comparePyStrings);
  if (extra.length > 0) throw invalidOption(`Unknown fields ${pyRepr(extra)}`, extra[0]);
  return Object.fromEntries(
    fields.map((f) => {
      const value = Object.hasOwn(req, f.field) ? req[f.field] : fieldDefault(f);
      return [f.field, validateFieldValue(f, value)];
    })
  );
}

/** The override value of a select choice: its value, or the key when it has none. */
function selectValue(f: SelectField, key: string): unknown {
  const option = f.options.find((o) => o.key === key);
  if (option === undefined) return key;
  return option.value === undefined ? option.key : structuredClone(option.value);
}

/**
 * Turns normalized options into ClusterConfig overrides (spec §4.3 step 1): each field sets its
 * `target`; a select sets the chosen option's value (or its key when it has no value); a select
 * with `apply: 'merge'` merges the chosen object's entries instead. Fields apply in declaration
 * order, so later fields win on a shared key. Values are re-validated; missing ones take the
 * default.
 *
 * @throws GatewayError `invalid_option` when a value fails validation, or a merge choice is not an
 *   object (which {@link checkFieldDefinitions} reports at load time).
 */
export function optionsToOverrides(
  fields: readonly OptionField[],
  normalized: Readonly<Record<string, unknown>>
): Record<string, unknown> {
  const out = new Map<string, unknown>();
  for (const f of fields) {
    const raw = Object.hasOwn(normalized, f.field) ? normalized[f.field] : fieldDefault(f);
    const value = validateFieldValue(f, raw);
    if (f.type !== 'select' || typeof value !== 'string') {
      out.set(fieldTarget(f), value);
      continue;
    }
    const chosen = selectValue(f, value);
    if (f.apply !== 'merge') {
      out.set(fieldTarget(f), chosen);
      continue;
    }
    if (!isRecord(chosen)) {
      throw invalidOption(
        `${f.field} option ${pyRepr(value)} must have a mapping value to merge`,
        f.field
      );
    }
    for (const [k, v] of Object.entries(chosen)) out.set(k, v);
  }
  return Object.fromEntries(out);
}

// ---------------------------------------------------------------------------------------------
// Reading and checking definitions at configuration load
// ---------------------------------------------------------------------------------------------

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
