/**
 * Counting in plain English for the pool's and quotas' messages to users.
 * @module
 */

/** `n` followed by `noun`, plural unless `n` is exactly 1: `plural(2, 'worker')` is "2 workers". */
export function plural(n: number | string, noun: string): string {
  return `${String(n)} ${noun}${n === 1 || n === '1' ? '' : 's'}`;
}
