/**
 * Clusters shared with other users or groups (issue 22), at two levels: `use` (connect and
 * compute: the cluster's record with its TLS credentials) and `manage` (also scale, adapt and
 * stop). Shares are kept in the `cluster_shares` table (migration 0011, removed with their
 * cluster's record) and held in memory, loaded once at start, so every request's check is a
 * lookup; a grant or revocation is written through before it is answered, so a revocation cuts
 * API access at once. It cannot cut an established Dask connection (docs/sharing.md).
 * @module
 */
import type { Kysely } from 'kysely';
import type { User } from '../auth/authenticator.js';
import { int64 } from '../store/int64.js';
import type { ClusterShareRow, Database } from '../store/tables.js';

/** A share level: `use` (connect, compute) or `manage` (also scale, adapt, stop). */
export type ShareLevel = ClusterShareRow['level'];
/** Whom a share is with. */
export type ShareKind = ClusterShareRow['kind'];

/** One share as the API shows it. */
export interface ClusterShare {
  readonly cluster: string;
  readonly kind: ShareKind;
  readonly principal: string;
  readonly level: ShareLevel;
  readonly grantedBy: string;
  readonly grantedAt: number;
}

/** The shares of every cluster. */
export interface ClusterShares {
  /** The highest level `user` holds on cluster `cluster` (by name or group), or null. */
  levelFor(cluster: string, user: Pick<User, 'name' | 'groups'>): ShareLevel | null;
  /** The shares of `cluster`. */
  list(cluster: string): ClusterShare[];
  /** The clusters shared with `user`, by name or group. */
  sharedWith(user: Pick<User, 'name' | 'groups'>): string[];
  /** Grants (or changes) a share; written before it returns. */
  grant(share: ClusterShare): Promise<void>;
  /** Revokes a share; false when there was none. */
  revoke(cluster: string, kind: ShareKind, principal: string): Promise<boolean>;
  /**
   * Reads every share from the database again (a replica that takes over the lead: grants and
   * revocations made by the old leader since this process loaded them).
   */
  reload(): Promise<void>;
}

const key = (kind: ShareKind, principal: string) => `${kind}\n${principal}`;

function fromRow(r: ClusterShareRow): ClusterShare {
  return {
    cluster: r.cluster_name,
    kind: r.kind,
    principal: r.principal,
    level: r.level,
    grantedBy: r.granted_by,
    grantedAt: int64(r.granted_at),
  };
}

/** Loads every share from `db` and returns the shares. */
export async function loadClusterShares(db: Kysely<Database>): Promise<ClusterShares> {
  const byCluster = new Map<string, Map<string, ClusterShare>>();
  const put = (s: ClusterShare) => {
    const m = byCluster.get(s.cluster) ?? new Map<string, ClusterShare>();
    m.set(key(s.kind, s.principal), s);
    byCluster.set(s.cluster, m);
  };
  const load = async () => {
    const rows = await db.selectFrom('cluster_shares').selectAll().execute();
    byCluster.clear();
    for (const r of rows) put(fromRow(r));
  };
  await load();
  const holds = (s: ClusterShare, user: Pick<User, 'name' | 'groups'>) =>
    s.kind === 'user' ? s.principal === user.name : user.groups.includes(s.principal);
  return {
    levelFor(cluster, user) {
      let level: ShareLevel | null = null;
      for (const s of byCluster.get(cluster)?.values() ?? []) {
        if (holds(s, user)) level = s.level === 'manage' ? 'manage' : (level ?? 'use');
      }
      return level;
    },
    list: (cluster) => [...(byCluster.get(cluster)?.values() ?? [])],
    sharedWith(user) {
      return [...byCluster]
        .filter(([, m]) => [...m.values()].some((s) => holds(s, user)))
        .map(([c]) => c);
    },
    async grant(s) {
      const row = {
        cluster_name: s.cluster,
        kind: s.kind,
        principal: s.principal,
        level: s.level,
        granted_by: s.grantedBy,
        granted_at: s.grantedAt,
      };
      await db
        .insertInto('cluster_shares')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['cluster_name', 'kind', 'principal']).doUpdateSet({
            level: row.level,
            granted_by: row.granted_by,
            granted_at: row.granted_at,
          })
        )
        .execute();
      put(s);
    },
    async revoke(cluster, kind, principal) {
      // Forgotten first: no request after this point is let through by the revoked share.
      const held = byCluster.get(cluster)?.get(key(kind, principal));
      if (held !== undefined) byCluster.get(cluster)?.delete(key(kind, principal));
      let deleted: bigint;
      try {
        const r = await db
          .deleteFrom('cluster_shares')
          .where('cluster_name', '=', cluster)
          .where('kind', '=', kind)
          .where('principal', '=', principal)
          .executeTakeFirst();
        deleted = r.numDeletedRows;
      } catch (err) {
        // The row stays, so the share does too (as a restart would find it); a retry revokes it.
        if (held !== undefined) put(held);
        throw err;
      }
      return held !== undefined || deleted > 0n;
    },
    reload: load,
  };
}
