/**
 * Python-style rendering of JSON values for user-facing messages.
 *
 * The Dask Gateway client shows server messages verbatim, and upstream builds them with Python
 * f-strings, so values appear as Python prints them: strings in single quotes, `None`,
 * `True`/`False`, `[1, 2]`, `{'a': 1}`, floats as `3.0`, bounds as `4.000000`.
 *
 * JavaScript cannot tell `1` from `1.0` after `JSON.parse`, so {@link pyRepr} prints integral
 * numbers as Python ints. Use {@link pyFloatRepr} where Python would hold a float (a Float option
 * value, `cluster_max_cores`).
 * @module
 */

/** Characters Python's `str.isprintable()` rejects, apart from the ASCII space. */
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** `repr()` of a Python string: quote choice and escapes as CPython does them. */
function reprString(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') {
      out += '\\' + ch;
    } else if (ch === '\t') {
      out += '\\t';
    } else if (ch === '\n') {
      out += '\\n';
    } else if (ch === '\r') {
      out += '\\r';
    } else if (cp < 0x20 || cp === 0x7f) {
      out += '\\x' + cp.toString(16).padStart(2, '0');
    } else if (cp < 0x7f || !NON_PRINTABLE.test(ch)) {
      out += ch;
    } else if (cp <= 0xff) {
      out += '\\x' + cp.toString(16).padStart(2, '0');
    } else if (cp <= 0xffff) {
      out += '\\u' + cp.toString(16).padStart(4, '0');
    } else {
      out += '\\U' + cp.toString(16).padStart(8, '0');
    }
  }
  return out + quote;
}

/**
 * `repr()` of a Python int holding `n`; `n` must be integral. Large values print in full
 * (`1000000000000000000000`, never `1e+21`), and `-0` prints as `0`.
 */
export function pyIntRepr(n: number): string {
  return BigInt(n).toString();
}

/**
 * `repr()` of a Python float: the shortest round-tripping digits, `.0` on integral values,
 * and exponent notation when the decimal exponent is below -4 or at least 16
 * (`3.0`, `0.0001`, `1e-05`, `1e+16`, `inf`, `nan`).
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const [mantissa = '0', exponent = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const decpt = Number(exponent) + 1;
  if (decpt <= -4 || decpt > 16) {
    const exp = decpt - 1;
    const frac = digits.length > 1 ? '.' + digits.slice(1) : '';
    const expDigits = String(Math.abs(exp)).padStart(2, '0');
    return `${sign}${digits.slice(0, 1)}${frac}e${exp < 0 ? '-' : '+'}${expDigits}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/**
 * Python's fixed-point formatting, `format(x, '.<digits>f')` or `'%.<digits>f' % x`:
 * correctly rounded, with exact halves going to the even digit (`0.125` → `0.12`).
 * `digits` must be between 0 and 20.
 */
export function pyFormatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const abs = Math.abs(x);
  const fraction = digits > 0 ? '.' + '0'.repeat(digits) : '';
  // Every double of this size is an integer; toFixed would switch to exponent notation.
  if (abs >= 1e21) return sign + BigInt(abs).toString() + fraction;
  const rounded = abs.toFixed(digits);
  // toFixed rounds exact halves up; Python rounds them to even. The exact decimal expansion of
  // a double this size ends within 100 fraction digits, so a tie is visible there.
  const exact = abs.toFixed(100);
  const point = exact.indexOf('.');
  const rest = exact.slice(point + 1 + digits);
  if (/^50*$/.test(rest)) {
    const kept = exact.slice(0, digits > 0 ? point + 1 + digits : point);
    const lastDigit = Number(kept.at(-1));
    if (lastDigit % 2 === 0) return sign + kept;
  }
  return sign + rounded;
}

/**
 * `repr()` of a JSON value as Python would print the decoded object: `'x'`, `None`, `True`,
 * `False`, `3`, `2.5`, `[1, 'a']`, `{'k': None}`. `undefined` prints as `None`; integral numbers
 * print as ints (see the module note).
 */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return reprString(value);
  if (typeof value === 'number') {
    return Number.isInteger(value) ? pyIntRepr(value) : pyFloatRepr(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return '[' + value.map((v) => pyRepr(v)).join(', ') + ']';
  if (typeof value === 'object') {
    const parts = Object.entries(value).map(([k, v]) => `${reprString(k)}: ${pyRepr(v)}`);
    return '{' + parts.join(', ') + '}';
  }
  return '<object>'; // symbols and functions never come from JSON
}

/**
 * `str()` of a JSON value, as an f-string `{value}` prints it: like {@link pyRepr} except that a
 * top-level string is printed bare (strings inside lists and dicts stay quoted).
 */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/**
 * The Python type name of a decoded JSON value: `dict`, `list`, `str`, `int`, `float`, `bool`
 * or `NoneType` (integral numbers count as `int`).
 */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'bigint') return 'int';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') return 'dict';
  return typeof value;
}

/**
 * Compares strings by Unicode code point, the order of Python's `sorted()` on `str`
 * (JavaScript's default sort compares UTF-16 code units instead).
 */
export function comparePyStrings(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const cb = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const d = (ca[i] ?? 0) - (cb[i] ?? 0);
    if (d !== 0) return d;
  }
  return ca.length - cb.length;
}
