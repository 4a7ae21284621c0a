/**
 * Helpers for backends' own state codecs: each backend encodes what it must remember of a
 * started scheduler or worker as a versioned JSON object (`{v: 1, ...}`) and decodes it back,
 * including records the previous release wrote (no `v`). The reconciler and the store carry
 * the blob (`BackendState`) without reading it.
 * @module
 */
import type { BackendState } from '../clusters/model.js';

/** The blob of a record whose scheduler or worker was never started. */
export const NO_STATE = {} as BackendState;

/** The fields of a stored blob, or null when it is not a JSON object. */
export function stateFields(state: BackendState): Readonly<Record<string, unknown>> | null {
  const v: unknown = state;
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : null;
}

/**
 * The fields of a blob of `version` (or unversioned, as the previous release wrote it); null
 * for another version, which this backend cannot read.
 */
export function versionedFields(
  state: BackendState,
  version: number
): Readonly<Record<string, unknown>> | null {
  const o = stateFields(state);
  if (o === null) return null;
  return o['v'] === undefined || o['v'] === version ? o : null;
}

/** Seals a backend's own state object into a blob stamped with `version`. */
export function sealState(version: number, fields: object): BackendState {
  return { v: version, ...fields } as unknown as BackendState;
}

/** Whether `n` is an integer. */
export const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n);
