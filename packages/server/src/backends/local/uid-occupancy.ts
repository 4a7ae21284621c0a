/**
 * What a cluster uid may still hold on this host: live processes (a cluster of another gateway
 * on the same host, or something an old cluster left running) and files in the shared
 * temporary directories. The local backend never hands out a slot whose uid runs a process, and
 * removes what an earlier cluster of a uid left in those directories before the uid runs again,
 * so no cluster inherits another's processes or files.
 * @module
 */
import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { IdRange } from './isolation.js';

/** Directories every uid may write to, outside any cluster's own directory. */
export const SHARED_TEMP_DIRECTORIES: readonly string[] = ['/tmp', '/var/tmp', '/dev/shm'];

/** The real uid in a `/proc/<pid>/status` text, or null. */
function realUid(status: string): number | null {
  const line = status.split('\n').find((l) => l.startsWith('Uid:'));
  const uid = Number(line?.split(/\s+/)[1]);
  return Number.isInteger(uid) ? uid : null;
}

/** Each live process's pid and real uid (zombies included: they hold a pid). */
function processUids(procRoot: string): { pid: number; uid: number }[] {
  const out: { pid: number; uid: number }[] = [];
  for (const entry of readdirSync(procRoot)) {
    if (!/^\d+$/.test(entry)) continue;
    let status: string;
    try {
      status = readFileSync(path.join(procRoot, entry, 'status'), 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const uid = realUid(status);
    if (uid !== null) out.push({ pid: Number(entry), uid });
  }
  return out;
}

/** The uids of `range` that run at least one live process. */
export function uidsRunningProcesses(range: IdRange, procRoot = '/proc'): Set<number> {
  const inRange = (uid: number) => uid >= range.first && uid < range.first + range.count;
  return new Set(processUids(procRoot).flatMap((p) => (inRange(p.uid) ? [p.uid] : [])));
}

/** The pids of the live processes whose real uid is `uid`. */
export function pidsOfUid(uid: number, procRoot = '/proc'): number[] {
  return processUids(procRoot).flatMap((p) => (p.uid === uid ? [p.pid] : []));
}

/** The real uid of process `pid`, or null when it is gone. */
export function uidOfPid(pid: number, procRoot = '/proc'): number | null {
  try {
    return realUid(readFileSync(path.join(procRoot, String(pid), 'status'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Removes the entries directly under `dirs` that `uid` owns (an earlier cluster's leftovers);
 * returns their paths.
 */
export function removeFilesOwnedBy(uid: number, dirs: readonly string[]): string[] {
  const removed: string[] = [];
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of entries) {
      const p = path.join(dir, name);
      try {
        if (lstatSync(p).uid !== uid) continue;
        rmSync(p, { recursive: true, force: true });
        removed.push(p);
      } catch {
        // gone meanwhile
      }
    }
  }
  return removed;
}
