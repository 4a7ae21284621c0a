/**
 * The role a replica answers with: every gateway API response carries `X-Gatehouse-Role:
 * leader` from the replica that leads and serves cluster routes, `follower` from any other
 * (including a leader still loading its records). `gatehouse proxy` reads it to find the leader.
 * @module
 */
import type { Leadership } from './leadership.js';

/** The response header naming the answering replica's role (lower case, as Node keeps it). */
export const ROLE_HEADER = 'x-gatehouse-role';

/** A replica's role as the header says it. */
export type ReplicaRole = 'leader' | 'follower';

/** The role `leadership` answers with now. */
export function roleOf(leadership: Pick<Leadership, 'serving'>): ReplicaRole {
  return leadership.serving() ? 'leader' : 'follower';
}

/** The role a header value names, or null when it names none. */
export function parseRole(value: string | string[] | undefined): ReplicaRole | null {
  return value === 'leader' || value === 'follower' ? value : null;
}
