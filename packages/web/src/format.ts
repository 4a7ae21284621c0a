/**
 * Formatting of counts, sizes, durations and times for display, with the names of the shared
 * formatter in `@gatehouse/api` (issue 16) so the pages switch to it by changing this module only.
 * @module
 */

/** "1 worker", "3 workers", "1,000 workers". */
export function formatCount(n: number, noun: string): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? noun : `${noun}s`}`;
}

/** "1 core", "2 cores", "1.5 cores". */
export function formatCores(n: number): string {
  const v = Number.isInteger(n) ? String(n) : String(Number(n.toFixed(2)));
  return `${v} ${n === 1 ? 'core' : 'cores'}`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** Bytes in binary units with at most 3 significant digits: "0 B", "512 MiB", "18 GiB". */
export function formatBytes(n: number): string {
  let v = Math.max(0, n);
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u += 1;
  }
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${String(Number(v.toFixed(u === 0 ? 0 : digits)))} ${UNITS[u] ?? 'B'}`;
}

/** Seconds as "12 s", "4 min", "3 h 5 min", "2 d 4 h". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${String(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${String(m)} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 === 0 ? `${String(h)} h` : `${String(h)} h ${String(m % 60)} min`;
  return `${String(Math.floor(h / 24))} d ${String(h % 24)} h`;
}

/** A time relative to `now` (both ms): "4 s ago", "in 3 min", "just now". */
export function formatRelative(ms: number, now: number): string {
  const d = (ms - now) / 1000;
  if (Math.abs(d) < 1) return 'just now';
  return d < 0 ? `${formatDuration(-d)} ago` : `in ${formatDuration(d)}`;
}

/** Core-hours: "0 core-hours", "0.25 core-hours", "12.5 core-hours", "1 core-hour". */
export function formatCoreHours(x: number): string {
  const v = x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2);
  const n = Number(v);
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'core-hour' : 'core-hours'}`;
}

/** A millisecond timestamp as local date and time (for tooltips beside relative times). */
export function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

/** Older name of {@link formatBytes}. */
export const bytes = formatBytes;

/** Older name of {@link formatDuration}. */
export const duration = formatDuration;
