/**
 * Stops a process and its group with the SIGINT → SIGTERM → SIGKILL ladder (spec §5.6).
 *
 * SIGINT and SIGTERM go to the group leader only: a dask nanny shuts its worker child down
 * gracefully, and a worker hit by the group-wide signal hangs until the nanny kills it. Once the
 * leader is gone (or did not yield to SIGTERM), SIGKILL goes to the whole group, so nothing the
 * leader started outlives it.
 * @module
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { processStartTicks } from './process-identity.js';
import type { ProcessRef } from '../clusters/model.js';
import { systemClock, type Clock } from '../clock.js';

/** Seconds to wait after each signal. */
export interface StopTimeouts {
  readonly sigint_timeout: number;
  readonly sigterm_timeout: number;
  readonly sigkill_timeout: number;
}

function alive(ref: ProcessRef): boolean {
  return processStartTicks(ref.pid) === ref.startTicks;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

async function waitGone(ref: ProcessRef, seconds: number, clock: Clock): Promise<boolean> {
  const deadline = clock.now() + seconds * 1000;
  let delay = 20;
  while (alive(ref)) {
    const left = deadline - clock.now();
    if (left <= 0) return false;
    await sleep(Math.min(delay, Math.max(1, left)));
    delay = Math.min(delay * 2, 500);
  }
  return true;
}

/**
 * Signals the process group led by `ref` until the leader is gone, each timeout counted on
 * `clock`. Returns false if the process survived SIGKILL (a zombie to log).
 */
export async function stopProcessGroup(
  ref: ProcessRef,
  t: StopTimeouts,
  clock: Clock = systemClock
): Promise<boolean> {
  if (!alive(ref)) return true;
  const ladder: Array<[NodeJS.Signals, number]> = [
    ['SIGINT', t.sigint_timeout],
    ['SIGTERM', t.sigterm_timeout],
    ['SIGKILL', t.sigkill_timeout],
  ];
  for (const [sig, seconds] of ladder) {
    if (sig === 'SIGKILL') signal(-ref.pid, sig);
    else signal(ref.pid, sig);
    if (await waitGone(ref, seconds, clock)) {
      signal(-ref.pid, 'SIGKILL'); // children the leader left behind in its group
      return true;
    }
  }
  return false;
}
