/**
 * A cluster's state in plain words: why it stopped or failed, and its workers as
 * "2 running, 1 starting of 3".
 * @module
 */
import type { ClusterView } from './gateway-api.js';

const STOP_WORDS: Readonly<Record<string, string>> = {
  user: 'stopped by its owner',
  admin: 'stopped by an admin',
  idle: 'stopped after being idle',
  'no client': 'stopped: no client connected',
  lifetime: 'stopped at its lifetime limit',
  failure: 'failed',
};

/** Why the cluster is in its status, in words ('' when there is nothing to say). */
export function statusReason(c: ClusterView): string {
  if (c.status === 'FAILED') return c.failure?.reason ?? 'failed';
  if (c.status === 'PENDING') return 'starting the scheduler';
  if (c.stop_reason !== null) return STOP_WORDS[c.stop_reason] ?? `stopped: ${c.stop_reason}`;
  return '';
}

/** "2 running", "2 running, 1 starting", "0 running of 3" (target shown when it differs). */
export function workersText(c: ClusterView): string {
  const { workers_running: running, workers_starting: starting, workers_target: target } = c;
  const active = c.status === 'PENDING' || c.status === 'RUNNING';
  let s = `${String(running)} running`;
  if (active && starting > 0) s += `, ${String(starting)} starting`;
  if (active && target !== running + starting) s += ` of ${String(target)}`;
  return s;
}
