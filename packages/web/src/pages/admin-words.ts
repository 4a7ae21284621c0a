/**
 * How a user is let in, in the words of the admin users table, and why a user's access cannot be
 * revoked there (a group's or the admin role's comes from the config).
 * @module
 */
import type { AdminUser } from '@gatehouse/api';

/** How a user is let in, in words. */
export function accessOf(u: AdminUser): string {
  switch (u.granted_by) {
    case 'grant':
      return 'granted';
    case 'group':
      return 'via a group';
    case 'admin':
      return 'admin';
    default:
      return u.granted ? 'granted' : 'no access';
  }
}

/** Why a granted user has no revoke button, or null when they have one. */
export function notRevocable(u: AdminUser): string | null {
  if (u.granted_by === 'group')
    return 'Let in by a group in access.grant_groups: remove the group from the config to revoke.';
  if (u.granted_by === 'admin')
    return 'An admin (access.admin_users or admin_groups): change the config to revoke.';
  return null;
}
