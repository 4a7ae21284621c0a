/**
 * Bookkeeping of connections still waiting for their first bytes (issue 14): one source address
 * may have at most `maxPerSource` of them, all sources together `maxTotal`. A new connection
 * over a limit is never refused; the oldest waiting connection goes instead (of its own source,
 * or of the source holding the most when the total is reached). So idle connections held by one
 * client cannot starve the others, nor even a well-behaved client from the same address (a
 * scheduler on the gateway's host shares 127.0.0.1 with local users): a real client sends its
 * first bytes at once and stops waiting before the flood's newer connections push it out.
 * @module
 */

/** The pending-handshake limits of one listener. */
export interface PendingHandshakes {
  /**
   * Admits a connection from `source`, evicting the oldest over the limits (each is told with
   * its `evict`, and must call its release). Returns the release of this one (idempotent).
   */
  admit(source: string, evict: () => void): () => void;
  /** How many connections are waiting, in all. */
  readonly size: number;
}

/** Creates the bookkeeping. */
export function createPendingHandshakes(maxTotal: number, maxPerSource: number): PendingHandshakes {
  /** Waiting connections by source, oldest first (empty sources are removed). */
  const bySource = new Map<string, Set<() => void>>();
  let total = 0;

  const evictOldest = (waiting: Set<() => void> | undefined) => {
    const oldest = waiting?.values().next().value;
    oldest?.();
  };
  const largest = () => {
    let most: Set<() => void> | undefined;
    for (const s of bySource.values()) if (most === undefined || s.size > most.size) most = s;
    return most;
  };

  return {
    admit(source, evict) {
      const own = bySource.get(source);
      if (own !== undefined && own.size >= maxPerSource) evictOldest(own);
      if (total >= maxTotal) evictOldest(largest());
      const entry = () => {
        evict();
      };
      const waiting = bySource.get(source) ?? new Set<() => void>();
      bySource.set(source, waiting);
      waiting.add(entry);
      total++;
      return () => {
        if (!waiting.delete(entry)) return;
        total--;
        if (waiting.size === 0 && bySource.get(source) === waiting) bySource.delete(source);
      };
    },
    get size() {
      return total;
    },
  };
}
