/**
 * Time source, injected so tests can drive timeouts without sleeping.
 * @module
 */

/** Wall-clock milliseconds since the Unix epoch. */
export interface Clock {
  now(): number;
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now() };
