/**
 * Counting in plain English for the pool's and quotas' messages to users.
 * @module
 */

/** `n` followed by `noun`, plural unless `n` is exactly 1: `plural(2, 'worker')` is "2 workers". */
export function plural(n: number | string, noun: string): string {
  return `${String(n)} ${noun}${n === 1 || n === '1' ? '' : 's'}`;
}

/** `n` as an English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${String(n)}${suffix}`;
}

/** Two messages as one sentence after the other; either may be absent. */
export function joined(a: string | null, b: string | null): string | null {
  return a === null ? b : b === null ? a : `${a} ${b}`;
}
