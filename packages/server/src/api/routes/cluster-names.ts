/**
 * Clusters by the name their user gave them (issue 22): what a `{cluster_name}` path segment
 * means for the calling user, and the check that a new cluster's name is free.
 *
 * A segment is a cluster id or one of the caller's own names, never another user's name. Ids
 * and names cannot be confused: a name is a DNS label that is not 32 hex digits, and ids are
 * 32 hex digits (or `<namespace>.<id>`), so the id is looked up first.
 * @module
 */
import { clusterNameOf } from '../../cluster-options/cluster-name.js';
import { isFinal, type ClusterRecord } from '../../clusters/model.js';
import { nameTaken } from '../../store/name-taken.js';
import type { ApiContext } from '../context.js';

/** `username`'s cluster named `name` (any status, while the record is kept), if any. */
export function namedCluster(
  all: Iterable<ClusterRecord>,
  username: string,
  name: string
): ClusterRecord | undefined {
  for (const c of all) {
    if (c.username === username && clusterNameOf(c.options) === name) return c;
  }
  return undefined;
}

/** The cluster `segment` means for `username`: the cluster of that id, else theirs of that name. */
export function clusterFor(
  ctx: Pick<ApiContext, 'manager'>,
  username: string,
  segment: string
): ClusterRecord | undefined {
  return ctx.manager.get(segment) ?? namedCluster(ctx.manager.all(), username, segment);
}

/**
 * Names being created right now, per user, so two concurrent creates of one name are refused
 * before either record exists (the store's unique index is the last line).
 */
export function createNameClaims(ctx: Pick<ApiContext, 'manager'>) {
  const pending = new Set<string>();
  return {
    /**
     * Claims `name` for `username`; the returned function releases the claim.
     * @throws GatewayError `invalid_option` when the user has, or recently had, a cluster of
     *   that name, or is creating one now.
     */
    claim(username: string, name: string): () => void {
      const key = `${username}\n${name}`;
      const held = namedCluster(ctx.manager.all(), username, name);
      if (held !== undefined) throw nameTaken(username, name, isFinal(held.status));
      if (pending.has(key)) throw nameTaken(username, name, false);
      pending.add(key);
      return () => {
        pending.delete(key);
      };
    },
  };
}
