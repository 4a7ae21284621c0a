/**
 * Type guards for decoded JSON and YAML values, so untrusted input is narrowed, never cast.
 * @module
 */

/**
 * True for a JSON object (a Python `dict`): a non-null object that is not an array. Class
 * instances with a non-plain prototype (`Date`, `Map`, …) are rejected.
 */
export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** True for a number with no fractional part (booleans are not numbers here, unlike Python). */
export function isIntegral(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

/** True for a non-negative integral number. */
export function isNonNegativeInteger(value: unknown): value is number {
  return isIntegral(value) && value >= 0;
}
