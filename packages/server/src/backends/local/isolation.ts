/**
 * Per-cluster Unix identities for the local backend: each cluster runs under its own uid and gid
 * from a configured range (no passwd entry needed, so any user name works) and binds to its own
 * loopback address, both derived from a slot number. See docs/security.md, "Isolation on one
 * machine".
 * @module
 */

/** The isolation setting as configured. */
export type IsolationSetting = 'auto' | 'uid' | 'none';

/** The range cluster uids and gids are taken from. */
export interface IdRange {
  readonly first: number;
  readonly count: number;
}

/** Who a cluster's processes run as and the loopback address they bind to. */
export interface ClusterIdentity {
  readonly slot: number;
  readonly uid: number;
  readonly gid: number;
  readonly address: string;
}

/**
 * What the network firewall (another module) is told about clusters: allowed at start, removed
 * at stop, and the full set at start-up adoption.
 */
export interface ClusterFirewall {
  allow(identity: ClusterIdentity): Promise<void> | void;
  remove(identity: ClusterIdentity): Promise<void> | void;
  sync(identities: readonly ClusterIdentity[]): Promise<void> | void;
}

/** Thrown when isolation is asked for but cannot be had. */
export class IsolationError extends Error {
  readonly code = 'isolation_unavailable';
}

/** Most slots a range may have: the loopback address encodes slot + 1 in two bytes. */
export const MAX_SLOTS = 65_000;

/** 'uid' or 'none' for `setting`, given whether the gateway runs as root. */
export function resolveIsolation(setting: IsolationSetting, isRoot: boolean): 'uid' | 'none' {
  if (setting === 'none') return 'none';
  if (isRoot) return 'uid';
  if (setting === 'uid') {
    throw new IsolationError(
      'backend.isolation is "uid" but the gateway does not run as root: only root can start ' +
        'processes under other uids (run as root, or set backend.isolation: none to run every ' +
        'cluster as the gateway user, without isolation)'
    );
  }
  return 'none';
}

/** The largest cluster uid: its loopback address holds the uid's low 24 bits. */
export const MAX_CLUSTER_UID = 0xffffff;

/**
 * The identity of slot `slot` of `range`. The address is 127 followed by the uid's three low
 * bytes, so it follows the uid, not the slot: gateways on one host with different ranges never
 * give one address to two uids (uids are at least 1000, so never 127.0.0.x below 127.0.3.232).
 */
export function identityForSlot(range: IdRange, slot: number): ClusterIdentity {
  if (!Number.isInteger(slot) || slot < 0 || slot >= range.count) {
    throw new RangeError(`slot ${String(slot)} is outside 0..${String(range.count - 1)}`);
  }
  const uid = range.first + slot;
  if (uid > MAX_CLUSTER_UID) throw new RangeError(`cluster uid ${String(uid)} is above 2^24-1`);
  const bytes = [uid >> 16, (uid >> 8) & 255, uid & 255].map(String).join('.');
  return { slot, uid, gid: uid, address: `127.${bytes}` };
}

/** The lowest slot of `range` not in `used`, or null when every slot is taken. */
export function lowestFreeSlot(range: IdRange, used: ReadonlySet<number>): number | null {
  for (let s = 0; s < range.count; s++) if (!used.has(s)) return s;
  return null;
}

/**
 * Ids of `/etc/passwd` or `/etc/group` text (third field) that fall in `range`: a range must be
 * unused, or a cluster would run as a real account or group.
 */
export function idsInRange(text: string, range: IdRange): Array<{ name: string; id: number }> {
  const out: Array<{ name: string; id: number }> = [];
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    const id = Number(fields[2]);
    if (fields.length < 3 || fields[2] === '' || !Number.isInteger(id)) continue;
    if (id >= range.first && id < range.first + range.count)
      out.push({ name: fields[0] ?? '', id });
  }
  return out;
}
