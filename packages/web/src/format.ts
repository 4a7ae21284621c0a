/**
 * Formatting of sizes and durations for display.
 * @module
 */

/** Bytes as GiB/MiB. */
export function bytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(n % 2 ** 30 === 0 ? 0 : 1)} GiB`;
  return `${(n / 2 ** 20).toFixed(0)} MiB`;
}

/** Seconds as "3 h 5 min", "4 min", "12 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${String(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${String(m)} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${String(h)} h ${String(m % 60)} min`;
  return `${String(Math.floor(h / 24))} d ${String(h % 24)} h`;
}

/** A millisecond timestamp as local date and time. */
export function when(ms: number): string {
  return new Date(ms).toLocaleString();
}
