/**
 * Decides who may use the gateway and who is an admin.
 *
 * Default deny: a user gets in if an admin granted them (grants live in the store), if one of
 * their groups is granted in the config, or if the config grants every authenticated user. The
 * admin role comes from the config (users, groups), the identity provider (e.g. JupyterHub's
 * admin flag) or an admin API token. Grants are cached in memory and changed only through this
 * module, so a revoke takes effect on the very next request, whatever cookie the user holds.
 * @module
 */
import type { User } from '../auth/authenticator.js';
import type { Clock } from '../clock.js';
import type { AccessConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import type { AccessStore } from '../store/access-store.js';

/** A user with the admin role resolved. */
export interface Principal extends User {
  /** Whether the user may use the gateway at all. */
  readonly granted: boolean;
}

/** Access decisions and grant changes. */
export interface AccessControl {
  /** Resolves the admin role and grant of an authenticated user. */
  principal(user: User): Principal;
  /** The principal, or the 403 "not granted" error telling the user how to ask. */
  requireGranted(user: User): Principal;
  grant(username: string, by: string): Promise<void>;
  /** Returns false when the user had no individual grant. */
  revoke(username: string, by: string): Promise<boolean>;
  /** Usernames with an individual grant. */
  grantedUsers(): readonly string[];
  /**
   * How `user` is let in: the admin role, their own grant, or a granted group (or every
   * authenticated user being granted); null when they are not.
   */
  grantedBy(user: User): GrantSource | null;
  /** Whom users without access should ask (`access.contact`), or null. */
  readonly contact: string | null;
  /** The groups the config grants access to. */
  readonly grantGroups: readonly string[];
}

/** How a user is let in. */
export type GrantSource = 'grant' | 'group' | 'admin';

/** The message (and its ASCII status-line form) for a user without access. */
export function notGrantedError(username: string, contact: string | null): GatewayError {
  const how =
    contact === null
      ? 'Ask an administrator to grant it'
      : `Ask an administrator to grant it (${contact})`;
  const message =
    `User ${username} has not been granted access to this Dask Gateway. ${how}, ` +
    'or file a request with POST /api/v1/access-requests.';
  return new GatewayError('not_granted', message, {
    statusText: `Not granted: user ${username} has no access to this Dask Gateway. ${how}.`,
  });
}

/** Creates access control over the store, loading the grants once. */
export async function createAccessControl(
  cfg: AccessConfig,
  store: AccessStore,
  clock: Clock
): Promise<AccessControl> {
  const grants = new Set((await store.listGrants()).map((g) => g.username));
  const adminUsers = new Set(cfg.admin_users);
  const adminGroups = new Set(cfg.admin_groups);
  const grantGroups = new Set(cfg.grant_groups);

  const principal = (user: User): Principal => {
    const admin =
      user.admin || adminUsers.has(user.name) || user.groups.some((g) => adminGroups.has(g));
    const granted =
      admin ||
      cfg.grant_all_authenticated ||
      grants.has(user.name) ||
      user.groups.some((g) => grantGroups.has(g));
    return { name: user.name, groups: user.groups, admin, granted };
  };

  return {
    principal,
    requireGranted(user) {
      const p = principal(user);
      if (!p.granted) throw notGrantedError(user.name, cfg.contact);
      return p;
    },
    async grant(username, by) {
      await store.grant(username, by, clock.now());
      grants.add(username);
    },
    async revoke(username) {
      grants.delete(username);
      return store.revoke(username);
    },
    grantedUsers: () => [...grants].sort(),
    grantedBy(user) {
      const p = principal(user);
      if (!p.granted) return null;
      if (p.admin) return 'admin';
      return grants.has(user.name) ? 'grant' : 'group';
    },
    contact: cfg.contact,
    grantGroups: [...grantGroups].sort(),
  };
}
