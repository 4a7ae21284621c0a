/**
 * What a heartbeat body may cost (issue 14). A scheduler's `closed_workers` only grows (spec
 * §5.4), but it can only name workers this gateway created for the cluster: the body is capped
 * by that number (plus slack for the addresses). Of its lists only names the gateway created
 * are kept (one set lookup each), and of `closed_workers` only the unfinished workers, the only
 * ones a close can still change.
 * @module
 */
import { isFinal, type ClusterRecord } from './model.js';

/** Bytes allowed besides the worker lists (addresses, count, JSON punctuation). */
export const HEARTBEAT_SLACK_BYTES = 64 * 1024;
/**
 * Bytes allowed per worker ever created: a 32-character name quoted with a separator is about
 * 36 bytes, and a name may be in each of the three lists; doubled for headroom.
 */
export const HEARTBEAT_BYTES_PER_WORKER = 256;

/** The largest heartbeat body cluster `c` can need, never above `ceiling` (max_heartbeat_bytes). */
export function heartbeatByteCap(c: Pick<ClusterRecord, 'workers'>, ceiling: number): number {
  return Math.min(ceiling, HEARTBEAT_SLACK_BYTES + c.workers.size * HEARTBEAT_BYTES_PER_WORKER);
}

/** The names a heartbeat of `c` may keep: every worker created, and the unfinished ones. */
export interface KnownWorkers {
  readonly created: readonly string[];
  readonly unfinished: readonly string[];
}

/** The workers of `c` a heartbeat's lists are reduced to. */
export function knownWorkers(c: Pick<ClusterRecord, 'workers'>): KnownWorkers {
  const unfinished: string[] = [];
  for (const w of c.workers.values()) if (!isFinal(w.status)) unfinished.push(w.name);
  return { created: [...c.workers.keys()], unfinished };
}

/** A parsed heartbeat body with its lists reduced, or why it could not be parsed. */
export type ReducedBody = { readonly value: unknown } | { readonly error: string };

/**
 * Parses heartbeat JSON and keeps, of `active_workers` and `closing_workers`, only names in
 * `created`, and of `closed_workers` only names in `unfinished`; the rest of the body is left
 * for the schema check. Self-contained (no imports, no closures): its source also runs in a
 * worker thread (see heartbeat-parser.ts).
 */
export function reduceHeartbeatText(
  text: string,
  created: { has(name: string): boolean },
  unfinished: { has(name: string): boolean }
): ReducedBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { error: `body is not valid JSON (${err instanceof Error ? err.message : 'unknown'})` };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { value: parsed };
  }
  const out: Record<string, unknown> = { ...(parsed as Record<string, unknown>) };
  for (const key of ['active_workers', 'closing_workers', 'closed_workers']) {
    const list = out[key];
    if (!Array.isArray(list)) continue;
    const keep = key === 'closed_workers' ? unfinished : created;
    const kept: string[] = [];
    for (let i = 0; i < list.length; i++) {
      const name: unknown = list[i];
      if (typeof name !== 'string') return { error: `/${key}/${String(i)} must be a string` };
      if (keep.has(name)) kept.push(name);
    }
    out[key] = kept;
  }
  return { value: out };
}
