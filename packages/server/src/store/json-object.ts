/**
 * Reads a stored JSON column that must hold an object.
 * @module
 */

/** Parses `text` as JSON; anything but a plain object becomes `{}`. */
export function parseJsonObject(text: string): Record<string, unknown> {
  const v: unknown = JSON.parse(text);
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : {};
}
