/**
 * Formatting for display: the shared formatter of `@gatehouse/api` (the CLI uses the same), and
 * the local date and time the pages show beside relative times.
 * @module
 */
import { formatBytes, formatDuration } from '@gatehouse/api';

export {
  formatBytes,
  formatCoreHours,
  formatCores,
  formatCount,
  formatDuration,
  formatRelative,
} from '@gatehouse/api';

/** A millisecond timestamp as local date and time (for tooltips beside relative times). */
export function when(ms: number): string {
  return new Date(ms).toLocaleString();
}

/** Older name of `formatBytes`. */
export const bytes = formatBytes;

/** Older name of `formatDuration`. */
export const duration = formatDuration;
