/**
 * Refuses a multi-user config whose admins log in with the one shared Basic password: anyone
 * who knows it could name themselves an admin. Per-user password hashes (`auth.users`) or
 * JupyterHub are the safe ways to have admins; `access.unsafe_shared_password_admins` is the
 * operator's explicit acceptance of the risk.
 * @module
 */
import type { GatewayConfigInput } from './schema.js';

/** The problem line (key path first) for a shared password with admin users, if any. */
export function sharedPasswordAdminProblems(c: GatewayConfigInput): string[] {
  const a = c.auth;
  if (a.type !== 'basic' || Object.keys(a.users).length > 0) return [];
  if (a.password === null || a.password === '') return [];
  if (c.access.admin_users.length === 0 || c.access.unsafe_shared_password_admins) return [];
  return [
    'access.admin_users: with one shared auth.password, anyone who knows the password can log ' +
      'in under an admin name and be an admin. Give each user their own password hash in ' +
      'auth.users (from `gatehouse hash-password`) or use JupyterHub (auth.type: jupyterhub); ' +
      'to accept the risk anyway, set access.unsafe_shared_password_admins: true',
  ];
}

/**
 * Warnings (key path first) about a loaded config that is allowed but risky: Basic auth that
 * accepts any password (`auth.password: null`, no `auth.users`) with admin users, where anyone
 * can log in under an admin's name. Fine for tests and single-user setups only.
 */
export function adminPasswordWarnings(
  config: Pick<GatewayConfigInput, 'auth' | 'access'>
): string[] {
  const a = config.auth;
  if (a.type !== 'basic' || Object.keys(a.users).length > 0) return [];
  if ((a.password !== null && a.password !== '') || config.access.admin_users.length === 0)
    return [];
  return [
    'access.admin_users: auth.password is null (any password), so anyone can log in under an ' +
      "admin's name; use per-user hashes in auth.users or JupyterHub outside tests",
  ];
}
