/**
 * The one formatter of numbers, units and plurals that the web UI and the CLI share (issue 16):
 * cores, bytes in binary units, counted nouns, durations, relative times and core-hours, so
 * both say "1 core", "18 GiB" and "4 s ago" the same way.
 * @module
 */

/** `v` with at most three significant digits (two decimals below 10), trailing zeros dropped. */
function short(v: number): string {
  const a = Math.abs(v);
  const decimals = a < 10 ? 2 : a < 100 ? 1 : 0;
  return String(Number(v.toFixed(decimals)));
}

/** `n` and `noun`, plural unless `n` is exactly 1 (`plural` defaults to `noun + 's'`). */
export function formatCount(n: number, noun: string, plural = `${noun}s`): string {
  return `${short(n)} ${n === 1 ? noun : plural}`;
}

/** A number of cores: "1 core", "2 cores", "1.5 cores". */
export function formatCores(n: number): string {
  return formatCount(n, 'core');
}

/** Binary units from bytes upward. */
const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/**
 * Bytes in binary units with at most three significant digits: "0 B", "512 MiB", "18 GiB",
 * "1.5 GiB". Only 0 reads "0 B"; any other amount takes the largest unit it reaches.
 */
export function formatBytes(n: number): string {
  const sign = n < 0 ? '-' : '';
  let v = Math.abs(n);
  let unit = 0;
  while (unit < BYTE_UNITS.length - 1 && v >= 1024) {
    v /= 1024;
    unit += 1;
  }
  if (unit < BYTE_UNITS.length - 1 && Number(short(v)) >= 1024) {
    v /= 1024;
    unit += 1;
  }
  const digits = unit === 0 ? String(Math.round(v)) : short(v);
  return `${sign}${digits} ${BYTE_UNITS[unit] ?? 'B'}`;
}

/** Seconds in each unit of a duration, largest first. */
const DURATION_UNITS: readonly (readonly [string, number])[] = [
  ['d', 86400],
  ['h', 3600],
  ['min', 60],
  ['s', 1],
];

/**
 * A duration in seconds, in its largest unit and the next one when that adds something:
 * "0 s", "45 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". Below 10 s it keeps one decimal.
 */
export function formatDuration(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s < 10) return `${sign}${String(Number(s.toFixed(1)))} s`;
  const whole = Math.round(s);
  for (let i = 0; i < DURATION_UNITS.length - 1; i++) {
    const [name, size] = DURATION_UNITS[i] ?? ['s', 1];
    if (whole < size) continue;
    const [nextName, nextSize] = DURATION_UNITS[i + 1] ?? ['s', 1];
    const big = Math.floor(whole / size);
    const rest = Math.floor((whole % size) / nextSize);
    return `${sign}${String(big)} ${name}${rest > 0 ? ` ${String(rest)} ${nextName}` : ''}`;
  }
  return `${sign}${String(whole)} s`;
}

/**
 * A moment relative to `now` (both in ms since the epoch), in its largest whole unit:
 * "4 s ago", "3 min ago", "in 3 min", "2 d ago"; "just now" within a second.
 */
export function formatRelative(ms: number, now: number): string {
  const diff = (ms - now) / 1000;
  const s = Math.abs(diff);
  if (s < 1) return 'just now';
  const [name, size] = DURATION_UNITS.find(([, size]) => s >= size) ?? ['s', 1];
  const amount = `${String(Math.floor(s / size))} ${name}`;
  return diff < 0 ? `${amount} ago` : `in ${amount}`;
}

/** Core-hours: "0 core-hours", "1 core-hour", "2.35 core-hours", "< 0.01 core-hours". */
export function formatCoreHours(x: number): string {
  if (x > 0 && x < 0.005) return '< 0.01 core-hours';
  return formatCount(Number(short(x)), 'core-hour');
}
