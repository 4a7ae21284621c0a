/**
 * The one check that a request body is a JSON object holding no field but the expected ones.
 * Handlers check bodies themselves (the validator compiler passes them on), so each route that
 * takes an object body calls this before reading its fields.
 * @module
 */
import { isRecord } from '../cluster-options/guards.js';
import { invalid } from '../errors.js';

/**
 * Returns `body` as a record; throws 422 (`invalid`) saying `shape` when it is not an object
 * or holds a field not in `allowed`.
 */
export function bodyWithOnly(
  body: unknown,
  allowed: readonly string[],
  shape: string
): Record<string, unknown> {
  if (!isRecord(body)) throw invalid(shape);
  const unknown = Object.keys(body).find((k) => !allowed.includes(k));
  if (unknown !== undefined) throw invalid(`unknown field '${unknown}': ${shape}`);
  return body;
}
