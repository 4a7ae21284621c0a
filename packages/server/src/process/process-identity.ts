/**
 * Verifies that a recorded pid is still the process Gatehouse started, not a reused pid.
 *
 * A process is identified by its pid, its start time (in clock ticks since boot, from
 * `/proc/<pid>/stat`) and an environment variable naming the cluster it belongs to.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { ProcessRef } from '../clusters/model.js';

/** Start time of `pid` in clock ticks since boot, or null when there is no such process. */
export function processStartTicks(pid: number): number | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is parenthesised and may contain spaces: split after it.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); field 22 (starttime) is rest[19].
  if (rest[0] === 'Z' || rest[0] === 'X') return null;
  const ticks = Number(rest[19]);
  return Number.isFinite(ticks) ? ticks : null;
}

/** The value of `name` in the environment `pid` started with, or null. */
export function processEnvValue(pid: number, name: string): string | null {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${String(pid)}/environ`, 'latin1');
  } catch {
    return null;
  }
  const prefix = `${name}=`;
  for (const entry of environ.split('\0')) {
    if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  }
  return null;
}

/** The identity of a live process, to record right after spawning it. */
export function identify(pid: number): ProcessRef | null {
  const startTicks = processStartTicks(pid);
  return startTicks === null ? null : { pid, startTicks };
}

/**
 * Whether `ref` still names the same live process, started for `clusterName`
 * (checked through `DASK_GATEWAY_CLUSTER_NAME` in its environment).
 */
export function isSameProcess(ref: ProcessRef, clusterName: string): boolean {
  if (processStartTicks(ref.pid) !== ref.startTicks) return false;
  return processEnvValue(ref.pid, 'DASK_GATEWAY_CLUSTER_NAME') === clusterName;
}
