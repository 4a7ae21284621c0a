/**
 * Memory sizes in cluster configuration (spec §8.2): parsing `"2 G"`-style values into bytes and
 * printing byte counts the way upstream's `format_bytes` does.
 * @module
 */
import { invalid, type GatewayError } from '../errors.js';
import { pyFormatFixed, pyStr } from './python-repr.js';

/** Multipliers of the accepted suffixes; only these upper-case letters are units. */
const UNIT_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['K', 2 ** 10],
  ['M', 2 ** 20],
  ['G', 2 ** 30],
  ['T', 2 ** 40],
]);

/** One run of digits, with single underscores allowed between digits (Python literal style). */
const DIGITS = String.raw`\d(?:_?\d)*`;

/** What Python's `float()` accepts, apart from `inf`/`nan` (never a valid size here). */
const PY_FLOAT = new RegExp(
  String.raw`^[+-]?(?:${DIGITS}(?:\.(?:${DIGITS})?)?|\.${DIGITS})(?:[eE][+-]?${DIGITS})?$`
);

/** Python's `float(text)` for finite values; `null` when Python would fail or overflow. */
function parsePyFloat(text: string): number | null {
  const trimmed = text.trim();
  if (!PY_FLOAT.test(trimmed)) return null;
  const value = Number(trimmed.replaceAll('_', ''));
  return Number.isFinite(value) ? value : null;
}

/** The upstream message for a value that is not a memory specification. */
function notMemory(value: unknown): GatewayError {
  return invalid(
    `${pyStr(value)} is not a valid memory specification. ` +
      'Must be an int or a string with suffix K, M, G, T'
  );
}

/**
 * Parses a memory specification into a whole number of bytes.
 *
 * A number is bytes, truncated towards zero. A string is `<number><suffix>` where the suffix is
 * the last character and one of `K`, `M`, `G`, `T` (powers of 1024) and the rest parses as a
 * float after trimming: `"2 G"`, `"1.5G"`, `"512M"`. `"2g"`, `"2Gi"` and `"1024"` are rejected.
 *
 * @param value - the configured value (JSON or YAML decoded).
 * @param field - the setting being parsed, named in the message for a negative size.
 * @returns the size in bytes, a non-negative integer.
 * @throws GatewayError `invalid` with
 *   `<value> is not a valid memory specification. Must be an int or a string with suffix K, M, G, T`,
 *   or `<field> must not be negative, got <bytes>`.
 */
export function parseMemory(value: unknown, field = 'memory'): number {
  let bytes: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw notMemory(value);
    bytes = Math.trunc(value);
  } else if (typeof value === 'string') {
    const multiplier = UNIT_SUFFIXES.get(value.slice(-1));
    const num = parsePyFloat(value.slice(0, -1));
    if (multiplier === undefined || num === null) throw notMemory(value);
    bytes = Math.trunc(num * multiplier);
  } else {
    throw notMemory(value);
  }
  // Normalize -0 (from "-0.0001K" and the like) so it prints and compares as 0.
  if (bytes === 0) return 0;
  if (bytes < 0) throw invalid(`${field} must not be negative, got ${bytes}`);
  return bytes;
}

/**
 * Formats a byte count for messages, as upstream's `format_bytes`: two decimals and a binary unit
 * (`KiB` … `PiB`), where a unit is used only when the value is strictly greater than it; otherwise
 * `<n> B`. Exactly 1 GiB prints as `1024.00 MiB`.
 */
export function formatBytes(n: number): string {
  const units: ReadonlyArray<readonly [string, number]> = [
    ['PiB', 2 ** 50],
    ['TiB', 2 ** 40],
    ['GiB', 2 ** 30],
    ['MiB', 2 ** 20],
    ['KiB', 2 ** 10],
  ];
  for (const [unit, size] of units) {
    if (n > size) return `${pyFormatFixed(n / size, 2)} ${unit}`;
  }
  return `${Math.trunc(n)} B`;
}
