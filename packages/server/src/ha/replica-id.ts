/**
 * The replica id: which gateway process holds the leader lease. The installation's instance id
 * is shared by every replica of one database, so each process makes its own: host, pid and a
 * random suffix (a restarted process on the same pid is another replica).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

/** A new id for this gateway process, e.g. `node1:4242:9f3a1c`. */
export function newReplicaId(pid: number = process.pid): string {
  return `${hostname()}:${String(pid)}:${randomBytes(3).toString('hex')}`;
}
