/**
 * Verifies that a recorded pid is still the process Gatehouse started, not a reused pid.
 *
 * A process is identified by its pid, its start time (in clock ticks since boot, from
 * `/proc/<pid>/stat`) and an environment variable naming the cluster it belongs to.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { ProcessRef } from '../clusters/model.js';

/** What `/proc/<pid>/stat` says about a live (not zombie) process. */
export interface ProcStat {
  /** Start time in clock ticks since boot (field 22). */
  readonly startTicks: number;
  /** Process group id (field 5). */
  readonly pgid: number;
}

/** The start time and process group of `pid`, or null when there is no such live process. */
export function readProcStat(pid: number): ProcStat | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${String(pid)}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is parenthesised and may contain spaces: split after it.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state), rest[2] field 5 (pgrp), rest[19] field 22 (starttime).
  if (rest[0] === 'Z' || rest[0] === 'X') return null;
  const startTicks = Number(rest[19]);
  const pgid = Number(rest[2]);
  return Number.isFinite(startTicks) && Number.isInteger(pgid) ? { startTicks, pgid } : null;
}

/** Start time of `pid` in clock ticks since boot, or null when there is no such process. */
export function processStartTicks(pid: number): number | null {
  return readProcStat(pid)?.startTicks ?? null;
}

/** The environment `pid` started with, or null when it cannot be read. */
export function readEnviron(pid: number): Map<string, string> | null {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${String(pid)}/environ`, 'latin1');
  } catch {
    return null;
  }
  const out = new Map<string, string>();
  for (const entry of environ.split('\0')) {
    const eq = entry.indexOf('=');
    const name = entry.slice(0, eq);
    if (eq > 0 && !out.has(name)) out.set(name, entry.slice(eq + 1));
  }
  return out;
}

/** The value of `name` in the environment `pid` started with, or null. */
export function processEnvValue(pid: number, name: string): string | null {
  return readEnviron(pid)?.get(name) ?? null;
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
