/**
 * The replica id: which gateway process holds the leader lease. The installation's instance id
 * is shared by every replica of one database, so each process makes its own: host name, pid, a
 * random suffix (a restarted process on the same pid is another replica) and a host key (the
 * boot id and the pid namespace), so that a replica can tell a holder that ran beside it, under
 * the same pid numbering, from one elsewhere, and see that holder's process is gone.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/** This boot's and pid namespace's key, e.g. `3f2a9c1e-4026531836`; '' where /proc cannot say. */
function hostKey(): string {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 8);
    const ns = /\d+/.exec(readlinkSync('/proc/self/ns/pid'))?.[0] ?? '';
    return boot !== '' && ns !== '' ? `${boot}-${ns}` : '';
  } catch {
    return '';
  }
}

/** A new id for this gateway process, e.g. `node1:4242:9f3a1c:3f2a9c1e-4026531836`. */
export function newReplicaId(pid: number = process.pid): string {
  return `${hostname()}:${String(pid)}:${randomBytes(3).toString('hex')}:${hostKey()}`;
}

/** Whether process `pid` of this namespace is alive (another user's counts: EPERM). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the replica `id` is provably gone: it ran on this host in this pid namespace (same
 * host name and host key) and its pid is not alive. Anything else (another host, an id without
 * a key, a live pid) is not known to be gone.
 */
export function replicaGone(id: string): boolean {
  const [host, pid, , key] = id.split(':');
  const mine = hostKey();
  if (host !== hostname() || key === undefined || key === '' || key !== mine) return false;
  const n = Number(pid);
  return Number.isInteger(n) && n > 0 && n !== process.pid && !alive(n);
}
