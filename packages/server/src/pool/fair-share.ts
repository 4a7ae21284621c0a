/**
 * Fair share: each user's recent usage as decayed core-hours, as Slurm's fair-share factor
 * ranks users. An hour of one core used `halfLife` ago counts half as much as one used now.
 * The usage intervals already recorded are the only source (no new counters).
 * @module
 */
import type { UsageInterval } from './usage-hours.js';

/**
 * Decayed core-hours per user at `now`: each interval's cores integrated over its part before
 * `now`, weighted by 2^(-age / halfLifeMs). An open interval runs until `now`.
 *
 * @param rows - the usage intervals (schedulers and workers).
 * @param now - the time to decay to (ms).
 * @param halfLifeMs - the half-life of usage (ms); 0 or less counts only what runs now (none).
 */
export function decayedCoreHours(
  rows: readonly UsageInterval[],
  now: number,
  halfLifeMs: number
): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows) {
    const end = Math.min(r.stop_time ?? now, now);
    if (end <= r.start_time || halfLifeMs <= 0) continue;
    // ∫ 2^(-(now - t)/H) dt over [start, end] = (H / ln 2) · (2^(-(now-end)/H) − 2^(-(now-start)/H))
    const k = halfLifeMs / Math.LN2;
    const ms = k * (2 ** (-(now - end) / halfLifeMs) - 2 ** (-(now - r.start_time) / halfLifeMs));
    out.set(r.username, (out.get(r.username) ?? 0) + (ms / 3_600_000) * r.cores);
  }
  return out;
}

/** How far back usage still counts: after 20 half-lives it weighs under a millionth. */
export function fairShareWindow(halfLifeMs: number): number {
  return halfLifeMs * 20;
}
