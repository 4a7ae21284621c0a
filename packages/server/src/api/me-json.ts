/**
 * The caller as `GET /api/v1/me` and the browser session describe them: name, groups, admin
 * role, access, whom to ask for access and their latest access request (with a denial's
 * reason), so a reload shows a pending or denied request (issue 16).
 * @module
 */
import type { MeJson } from '@gatehouse/api';
import type { Principal } from '../access/access-control.js';
import type { ApiContext } from './context.js';

/** The `MeJson` of principal `p`. */
export async function meJson(
  ctx: Pick<ApiContext, 'access' | 'accessStore'>,
  p: Principal
): Promise<MeJson> {
  const request = await ctx.accessStore.latestRequest(p.name);
  return {
    name: p.name,
    groups: [...p.groups],
    admin: p.admin,
    granted: p.granted,
    contact: ctx.access.contact,
    access_request: request ?? null,
  };
}
