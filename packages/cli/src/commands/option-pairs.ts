/**
 * `clusters new -o FIELD=VALUE`: collecting the pairs, then reading each value by its field's
 * type once the options are known. A mapping field (environment variables) takes one
 * `NAME=VALUE` entry per `-o`, or a JSON object as a whole; other fields JSON or text.
 * @module
 */
import type { ClusterOptions } from '@gatehouse/sdk';
import { CliError, EXIT } from '../client/exit-codes.js';

/** One `-o FIELD=VALUE` as given: the field and the raw text after its `=`. */
export type OptionPair = readonly [string, string];

/** Collects `-o FIELD=VALUE` (repeatable); values are read once the fields' types are known. */
export function optionPair(text: string, previous: readonly OptionPair[]): OptionPair[] {
  const eq = text.indexOf('=');
  if (eq <= 0) {
    throw new CliError(
      `-o expects FIELD=VALUE, got ${JSON.stringify(text)}`,
      EXIT.usage,
      'For example: -o worker_cores=2 -o "profile=Medium Worker" -o environment_vars=NAME=value.'
    );
  }
  return [...previous, [text.slice(0, eq), text.slice(eq + 1)]];
}

/** `raw` as JSON when it parses (numbers, booleans, objects), else the text itself. */
function jsonOrText(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * Applies the `-o` pairs to `options`. A mapping field (such as environment variables) takes a
 * JSON object as a whole, or one `NAME=VALUE` entry per `-o` added to what it holds; other
 * fields take JSON (numbers, booleans) or text.
 * @throws CliError (exit 2) for a mapping entry without `=` or without a name.
 */
export function applyOptions(options: ClusterOptions, pairs: readonly OptionPair[]): void {
  for (const [field, raw] of pairs) {
    if (options.field(field)?.spec.type !== 'mapping') {
      options.set(field, jsonOrText(raw));
      continue;
    }
    const whole = jsonOrText(raw);
    if (typeof whole === 'object' && whole !== null && !Array.isArray(whole)) {
      options.set(field, whole);
      continue;
    }
    const eq = raw.indexOf('=');
    if (eq <= 0)
      throw new CliError(
        `-o ${field}=… expects NAME=VALUE for this mapping option, got ${JSON.stringify(raw)}`,
        EXIT.usage,
        `For example: -o ${field}=NAME=value (repeat -o for more), or -o '${field}={"NAME": "value"}'.`
      );
    const held = options.values[field];
    const current = typeof held === 'object' && held !== null ? held : {};
    options.set(field, { ...current, [raw.slice(0, eq)]: raw.slice(eq + 1) });
  }
}
