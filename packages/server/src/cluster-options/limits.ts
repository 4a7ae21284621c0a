/**
 * Per-cluster worker limits at run time (spec §8.2, §1.10, §1.11): the effective
 * `cluster_max_workers`, clamping of scale and adapt requests with upstream's exact messages, and
 * validation of the scale and adapt request bodies.
 * @module
 */
import { invalid } from '../errors.js';
import type { ClusterConfig } from './cluster-config.js';
import { isNonNegativeInteger, isRecord } from './guards.js';
import { pyStr, pyTypeName, pyRepr } from './python-repr.js';

/** The ClusterConfig fields that determine the worker limit. */
export type LimitConfig = Pick<
  ClusterConfig,
  | 'worker_memory'
  | 'worker_cores'
  | 'scheduler_memory'
  | 'scheduler_cores'
  | 'cluster_max_memory'
  | 'cluster_max_cores'
  | 'cluster_max_workers'
>;

/** Python's float floor division `a // b` (CPython's algorithm, so results match exactly). */
function pyFloorDiv(a: number, b: number): number {
  const mod = a % b;
  let div = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) div -= 1;
  if (div === 0) return 0;
  let floored = Math.floor(div);
  if (div - floored > 0.5) floored += 1;
  return floored;
}

/**
 * The worker limit that applies to a cluster: the minimum of the explicit `cluster_max_workers`,
 * `floor((cluster_max_memory − scheduler_memory) / worker_memory)` and
 * `floor((cluster_max_cores − scheduler_cores) / worker_cores)`, each counted only when set.
 * Negative results become 0.
 *
 * @returns the limit, or null when no limit is set (unlimited).
 */
export function effectiveMaxWorkers(cfg: LimitConfig): number | null {
  let derived = Infinity;
  if (cfg.cluster_max_memory !== null && cfg.worker_memory > 0) {
    const spare = cfg.cluster_max_memory - cfg.scheduler_memory;
    // Byte counts are integers; BigInt keeps the division exact for very large values.
    const workers =
      spare < 0
        ? -1
        : Number.isInteger(spare) && Number.isInteger(cfg.worker_memory)
          ? Number(BigInt(spare) / BigInt(cfg.worker_memory))
          : Math.floor(spare / cfg.worker_memory);
    derived = Math.min(derived, workers);
  }
  if (cfg.cluster_max_cores !== null && cfg.worker_cores > 0) {
    derived = Math.min(
      derived,
      pyFloorDiv(cfg.cluster_max_cores - cfg.scheduler_cores, cfg.worker_cores)
    );
  }
  const fromResources = derived === Infinity ? null : Math.max(0, Math.trunc(derived));
  if (fromResources === null) return cfg.cluster_max_workers;
  if (cfg.cluster_max_workers === null) return fromResources;
  return Math.min(cfg.cluster_max_workers, fromResources);
}

/** A scale request after applying the limit. */
export interface ScaleDecision {
  /** The worker count to forward to the scheduler. */
  count: number;
  /** The warning for the client (`ok: false`), or null when the request was within the limit. */
  msg: string | null;
}

/**
 * Clamps a scale request to the effective worker limit (spec §1.10). The heartbeat uses the same
 * clamp and drops the message (spec §5.4).
 *
 * @returns `{count, msg: null}` within the limit, otherwise the limit and
 *   `Scale request of <n> workers would exceed resource limit of <max> workers. Scaling to <max> instead.`
 */
export function clampScale(count: number, cfg: LimitConfig): ScaleDecision {
  const max = effectiveMaxWorkers(cfg);
  if (max === null || count <= max) return { count, msg: null };
  return {
    count: max,
    msg:
      `Scale request of ${count} workers would exceed resource limit of ${max} workers. ` +
      `Scaling to ${max} instead.`,
  };
}

/** Adaptive scaling bounds; null means unbounded. */
export interface AdaptBounds {
  minimum: number | null;
  maximum: number | null;
}

/** Adapt bounds after applying the limit. */
export interface AdaptDecision extends AdaptBounds {
  /** The warning for the client (`ok: false`), or null. */
  msg: string | null;
}

/**
 * Applies the effective worker limit to adapt bounds (spec §1.11). Without a limit the bounds pass
 * through unchanged (nulls included). With a limit, a null maximum becomes the limit and a null
 * minimum becomes 0; bounds above the limit are lowered to it, with the message
 * ``Adapt with `maximum=<a>, minimum=<b>` workers would exceed resource limit of <max> workers. Using `maximum=<c>, minimum=<d>` instead.``
 */
export function clampAdapt(bounds: AdaptBounds, cfg: LimitConfig): AdaptDecision {
  const max = effectiveMaxWorkers(cfg);
  if (max === null) return { minimum: bounds.minimum, maximum: bounds.maximum, msg: null };
  const maximum = bounds.maximum ?? max;
  const minimum = bounds.minimum ?? 0;
  if (maximum <= max && minimum <= max) return { minimum, maximum, msg: null };
  const newMax = Math.min(max, maximum);
  const newMin = Math.min(max, minimum);
  return {
    minimum: newMin,
    maximum: newMax,
    msg:
      `Adapt with \`maximum=${maximum}, minimum=${minimum}\` workers would exceed resource ` +
      `limit of ${max} workers. Using \`maximum=${newMax}, minimum=${newMin}\` instead.`,
  };
}

/**
 * Reads the `count` of a `POST …/scale` body (spec §1.10 check 3). A body that is not an object
 * counts as a missing count.
 *
 * @throws GatewayError `invalid` with `Scale expects a non-negative integer, got <count>`, where
 *   `<count>` prints as upstream's f-string does (`None`, `-1`, `2.5`, `True`; strings bare).
 */
export function validateScaleCount(body: unknown): number {
  const count = isRecord(body) && Object.hasOwn(body, 'count') ? body['count'] : null;
  if (!isNonNegativeInteger(count)) {
    throw invalid(`Scale expects a non-negative integer, got ${pyStr(count)}`);
  }
  return count;
}

/** A validated `POST …/adapt` body. */
export interface AdaptRequest extends AdaptBounds {
  /** False disables adaptive scaling. */
  active: boolean;
}

function adaptBound(body: Record<string, unknown>, key: 'minimum' | 'maximum'): number | null {
  const v = body[key];
  if (v === undefined || v === null) return null;
  if (!isNonNegativeInteger(v)) {
    throw invalid(`Adapt expects ${key} to be None or a non-negative integer, got ${pyStr(v)}`);
  }
  return v;
}

/**
 * Reads a `POST …/adapt` body (spec §1.11): `minimum` and `maximum` default to null, `active`
 * to true (a null `active` counts as missing). A missing (`null`) body means all defaults.
 *
 * @throws GatewayError `invalid` when the body is not an object, a bound is neither null nor a
 *   non-negative integer (the message names the key), `minimum` exceeds `maximum` (both
 *   named), or `active` is not a boolean.
 */
export function validateAdaptBody(body: unknown): AdaptRequest {
  const b = body === null || body === undefined ? {} : body;
  if (!isRecord(b)) throw invalid(`Adapt expects a dict, got ${pyRepr(pyTypeName(b))}`);
  const minimum = adaptBound(b, 'minimum');
  const maximum = adaptBound(b, 'maximum');
  if (minimum !== null && maximum !== null && minimum > maximum) {
    throw invalid(
      `Adapt expects minimum (${String(minimum)}) to be at most maximum (${String(maximum)})`
    );
  }
  const active = b['active'] ?? true;
  if (typeof active !== 'boolean') {
    throw invalid(`Adapt expects active to be a bool, got ${pyStr(active)}`);
  }
  return { minimum, maximum, active };
}
