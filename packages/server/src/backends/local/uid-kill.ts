/**
 * Kills every process of one cluster uid, wherever it is: a process a task detached with
 * `setsid` and a cleared environment escapes both the process group and the marker scan, but
 * not its uid. `kill -9 -1` run as that uid signals every process the uid may signal, that is
 * all of its own processes but the killer itself; it is repeated (a process may fork between
 * rounds) until `/proc` shows none of the uid, a bounded number of times.
 * @module
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { pidsOfUid } from './uid-occupancy.js';

/** How often `kill -9 -1` is run before giving up. */
const ROUNDS = 10;

/** Runs `kill -9 -1` as `uid`/`gid`; resolves when it has exited. */
function killAllAs(uid: number, gid: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn('/bin/kill', ['-9', '-1'], { uid, gid, stdio: 'ignore' });
    child.on('error', () => {
      resolve();
    });
    child.on('exit', () => {
      resolve();
    });
  });
}

/** What `killUid` did: the pids seen before the first round, and those still alive at the end. */
export interface UidKillResult {
  readonly killed: readonly number[];
  readonly survivors: readonly number[];
}

/**
 * SIGKILLs every process of `uid` (never root), as that uid, until none is left or `ROUNDS`
 * rounds have run. `procRoot` is for tests.
 */
export async function killUid(
  uid: number,
  gid: number,
  procRoot = '/proc'
): Promise<UidKillResult> {
  if (uid === 0) throw new Error('refusing to kill every process of root');
  const killed = pidsOfUid(uid, procRoot);
  let left = killed;
  for (let round = 0; round < ROUNDS && left.length > 0; round++) {
    await killAllAs(uid, gid);
    left = pidsOfUid(uid, procRoot);
    // SIGKILLed processes leave /proc once reaped; give the kernel and their parents a moment.
    if (left.length > 0) await sleep(20 * (round + 1));
    left = pidsOfUid(uid, procRoot);
  }
  return { killed, survivors: left };
}
