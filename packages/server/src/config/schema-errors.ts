/**
 * Human-readable validation errors for the config file.
 *
 * TypeBox reports every failing branch of a union, which buries the real problem. This walker
 * descends objects, arrays and `type`-discriminated unions itself, so each message names the one
 * offending key path (`backend.heartbeat_period`, `options[2].max`) and says what was expected.
 * @module
 */
import Value from 'typebox/value';
import type { TSchema } from 'typebox';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${String(key)}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** The literal of a variant's `type` property, when the variant is an object discriminated by it. */
function discriminant(variant: unknown): string | undefined {
  if (!isRecord(variant) || !isRecord(variant['properties'])) return undefined;
  const t = variant['properties']['type'];
  return isRecord(t) && typeof t['const'] === 'string' ? t['const'] : undefined;
}

/** A value as JSON for messages; `nothing` when absent. */
function shown(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

/** The allowed values of a union of constants (and null), or undefined for other schemas. */
function choices(schema: TSchema): string[] | undefined {
  const variants = (schema as unknown as Json)['anyOf'];
  if (!Array.isArray(variants) || variants.length === 0) return undefined;
  const out: string[] = [];
  for (const v of variants) {
    if (isRecord(v) && 'const' in v) out.push(JSON.stringify(v['const']));
    else if (isRecord(v) && v['type'] === 'null') out.push('null');
    else return undefined;
  }
  return out;
}

function leafErrors(schema: TSchema, value: unknown, path: string): string[] {
  const errors = [...Value.Errors(schema, value)];
  if (errors.length === 0) return [];
  const where = path === '' ? 'config' : path;
  const allowed = choices(schema);
  if (allowed !== undefined)
    return [`${where}: must be one of ${allowed.join(', ')} (got ${shown(value)})`];
  const messages = [...new Set(errors.map((e) => e.message))].filter(
    (m) => m !== 'must match a schema in anyOf' || errors.length === 1
  );
  return [`${where}: ${messages.join(' or ')} (got ${shown(value)})`];
}

/** Every problem with `value` against `schema`, one line per offending key path. */
export function schemaErrors(schema: TSchema, value: unknown, path = ''): string[] {
  const s: Json = schema as unknown as Json;
  const variants = s['anyOf'];
  if (Array.isArray(variants) && variants.length > 0 && variants.every((v) => discriminant(v))) {
    if (!isRecord(value)) return leafErrors(schema, value, path);
    const chosen: unknown = variants.find((v) => discriminant(v) === value['type']);
    if (chosen === undefined) {
      const allowed = variants.map((v) => `'${discriminant(v) ?? ''}'`).join(', ');
      return [`${join(path, 'type')}: must be one of ${allowed} (got ${shown(value['type'])})`];
    }
    // Fill the variant's defaults first, so only keys the user got wrong are reported.
    const filled: unknown = Value.Default(chosen as TSchema, structuredClone(value));
    return schemaErrors(chosen as TSchema, filled, path);
  }
  if (s['type'] === 'object' && isRecord(s['properties']) && isRecord(value)) {
    const props = s['properties'];
    const required = Array.isArray(s['required']) ? s['required'] : [];
    const out: string[] = [];
    for (const key of Object.keys(value)) {
      if (!(key in props) && s['additionalProperties'] === false) {
        out.push(`${join(path, key)}: unknown key (allowed: ${Object.keys(props).join(', ')})`);
      }
    }
    for (const [key, sub] of Object.entries(props)) {
      if (!(key in value)) {
        if (required.includes(key)) out.push(`${join(path, key)}: required key is missing`);
        continue;
      }
      out.push(...schemaErrors(sub as TSchema, value[key], join(path, key)));
    }
    return out;
  }
  if (s['type'] === 'array' && isRecord(s['items']) && Array.isArray(value)) {
    const head = leafErrors({ ...s, items: {} }, value, path);
    const items = s['items'] as unknown as TSchema;
    return [...head, ...value.flatMap((item, i) => schemaErrors(items, item, join(path, i)))];
  }
  return leafErrors(schema, value, path);
}
