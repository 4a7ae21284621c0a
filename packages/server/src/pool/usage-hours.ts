/**
 * Totals of usage intervals: core-hours and memory-GiB-hours per key (a user or a cluster)
 * within a window, for the cluster views' cost so far and the admin users' last 30 days.
 * @module
 */

/** The part of a usage interval the totals read. */
export interface UsageInterval {
  readonly username: string;
  readonly cluster_name: string;
  readonly cores: number;
  readonly memory: number;
  readonly start_time: number;
  readonly stop_time: number | null;
}

/** Core-hours and memory-GiB-hours. */
export interface UsageHours {
  core_hours: number;
  memory_gib_hours: number;
}

/** Sums `rows` per `keyOf(row)` over the part of each interval between `since` and `now`. */
export function usageHours(
  rows: readonly UsageInterval[],
  keyOf: (r: UsageInterval) => string,
  since: number,
  now: number
): Map<string, UsageHours> {
  const out = new Map<string, UsageHours>();
  for (const r of rows) {
    const ms = Math.min(r.stop_time ?? now, now) - Math.max(r.start_time, since);
    if (ms <= 0) continue;
    const e = out.get(keyOf(r)) ?? { core_hours: 0, memory_gib_hours: 0 };
    e.core_hours += (ms / 3_600_000) * r.cores;
    e.memory_gib_hours += (ms / 3_600_000) * (r.memory / 2 ** 30);
    out.set(keyOf(r), e);
  }
  return out;
}
