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
 *
 * Reading and checking the admin's definitions at configuration load is `field-definitions.ts`.
 * @module
 */
import type { OptionEntry, OptionSpec } from '@gatehouse/api';
import { invalidOption } from '../errors.js';
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
