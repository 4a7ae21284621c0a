/**
 * Parsers for command-line arguments, failing with commander's usage error (exit code 2).
 * @module
 */
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { CLUSTER_STATUSES, type ClusterStatus } from '@gatehouse/sdk';

/** A whole number >= 0. */
export function nonNegativeInt(text: string): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`expected a whole number >= 0, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** A number of seconds > 0. */
export function positiveSeconds(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a number of seconds > 0, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** `PENDING,running` → the statuses, upper-cased. */
export function parseStatusList(text: string): ClusterStatus[] {
  return text.split(',').map((raw) => {
    const s = raw.trim().toUpperCase();
    const found = CLUSTER_STATUSES.find((x) => x === s);
    if (found === undefined) {
      throw new InvalidArgumentError(
        `unknown status ${JSON.stringify(raw)}; use ${CLUSTER_STATUSES.join(', ')}`
      );
    }
    return found;
  });
}

/** A quota value: a whole number, or `none` for unlimited. */
export function quotaNumber(text: string): number | null {
  if (text === 'none' || text === 'null' || text === 'unlimited') return null;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number >= 0 or "none", got ${JSON.stringify(text)}`);
  }
  return n;
}
