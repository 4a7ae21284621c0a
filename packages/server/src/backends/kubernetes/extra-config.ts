/**
 * Merging upstream's `*_extra_pod_config` and `*_extra_container_config` into generated specs:
 * objects merge key by key, lists are appended (extra volumes, mounts, tolerations), and any
 * other value of the extra config replaces the generated one.
 * @module
 */

/**
 * A Kubernetes model type (client-node's classes) as the plain JSON object literals that build
 * it: the API client serializes either alike.
 */
export type Plain<T> = T extends Date
  ? T
  : T extends readonly (infer E)[]
    ? Plain<E>[]
    : T extends object
      ? { [K in keyof T]: Plain<T[K]> }
      : T;

/** A JSON object. */
export type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `base` with `extra` merged in (neither is modified). */
export function mergeExtra<T extends object>(base: T, extra: Readonly<JsonObject>): T {
  const out: JsonObject = { ...(base as JsonObject) };
  for (const [k, v] of Object.entries(extra)) {
    const have = out[k];
    if (isObject(have) && isObject(v)) out[k] = mergeExtra(have, v);
    else if (Array.isArray(have) && Array.isArray(v))
      out[k] = [...(have as unknown[]), ...(v as unknown[])];
    else out[k] = v;
  }
  return out as T;
}
