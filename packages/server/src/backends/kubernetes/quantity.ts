/**
 * Kubernetes resource quantities (`1.5`, `1500m`, `5G`, `5Gi`, `512Mi`, `1e3`), parsed exactly as
 * the API server reads them: a decimal number times a decimal or binary suffix, kept as an exact
 * fraction of big integers so `0.1` and `100m` compare equal and no byte is lost to floating point.
 * Rounding happens once, at the end, upwards, as the API server does for `Value()`/`MilliValue()`.
 * @module
 */

/** A non-negative quantity as an exact fraction `numerator / denominator`. */
export interface Quantity {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** The grammar: sign, digits with an optional fraction, then one suffix (or an exponent). */
const QUANTITY =
  /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([eE])([+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[mkMGTPE]))?$/;

/** Binary suffixes: powers of 1024. */
const BINARY: Readonly<Record<string, number>> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };

/** Decimal suffixes: powers of ten. */
const DECIMAL: Readonly<Record<string, number>> = { m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** Exponents beyond this are refused: no resource of a real node comes near 10^60. */
const MAX_EXPONENT = 60;

/** A quantity that is not valid, or not allowed where it is used. */
export class QuantityError extends Error {
  /** The config key or object field the value came from. */
  readonly key: string;
  constructor(key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = 'QuantityError';
    this.key = key;
  }
}

/** The text of a configured quantity: YAML may give a number (`cpu: 1.5`) or a string. */
function textOf(value: unknown, key: string): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new QuantityError(key, `expected a Kubernetes quantity, got ${JSON.stringify(value)}`);
}

/** `10 ** n` as a big integer. */
function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/**
 * Parses a Kubernetes quantity exactly.
 *
 * @param value - a string such as `"1500m"`, `"5Gi"`, `"1e3"`, or a finite number.
 * @param key - the config key or field it came from, named in every message.
 * @returns the exact non-negative value.
 * @throws QuantityError naming `key` for text outside the grammar, a negative value or an
 *   exponent beyond 10^60.
 */
export function parseQuantity(value: unknown, key: string): Quantity {
  const text = textOf(value, key);
  const m = QUANTITY.exec(text);
  if (m === null) {
    throw new QuantityError(
      key,
      `${JSON.stringify(text)} is not a Kubernetes quantity (for example 1.5, 1500m, 5G, 5Gi, 512Mi)`
    );
  }
  const [, sign = '', number = '', expMark, expDigits, suffix] = m;
  const [whole = '', fraction = ''] = number.split('.');
  let numerator = BigInt(`${whole}${fraction}` || '0');
  let exponent = -fraction.length;
  let denominator = 1n;
  if (expMark !== undefined) exponent += Number(expDigits);
  else if (suffix !== undefined && suffix in DECIMAL) exponent += DECIMAL[suffix] ?? 0;
  else if (suffix !== undefined) numerator *= 1024n ** BigInt(BINARY[suffix] ?? 0);
  if (Math.abs(exponent) > MAX_EXPONENT) {
    throw new QuantityError(key, `${JSON.stringify(text)} is out of range`);
  }
  if (exponent >= 0) numerator *= pow10(exponent);
  else denominator = pow10(-exponent);
  if (sign === '-' && numerator !== 0n) {
    throw new QuantityError(key, `${JSON.stringify(text)} must not be negative`);
  }
  return { numerator, denominator };
}

/** `n / d` rounded up, for non-negative n and positive d. */
function ceilDiv(n: bigint, d: bigint): bigint {
  return (n + d - 1n) / d;
}

/** The quantity in whole units, rounded up (bytes for memory), as Kubernetes' `Value()`. */
export function quantityUnits(q: Quantity): bigint {
  return ceilDiv(q.numerator, q.denominator);
}

/** The quantity in thousandths, rounded up (millicores for CPU), as Kubernetes' `MilliValue()`. */
export function quantityMillis(q: Quantity): bigint {
  return ceilDiv(q.numerator * 1000n, q.denominator);
}

/** A CPU quantity as cores, exact to the millicore the API server keeps (`1500m` → 1.5). */
export function cpuCores(value: unknown, key: string): number {
  return Number(quantityMillis(parseQuantity(value, key))) / 1000;
}

/** A memory quantity as whole bytes, rounded up (`5Gi` → 5368709120, `5G` → 5000000000). */
export function memoryBytes(value: unknown, key: string): number {
  const bytes = quantityUnits(parseQuantity(value, key));
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new QuantityError(key, `${JSON.stringify(value)} is too large a memory size`);
  }
  return Number(bytes);
}
