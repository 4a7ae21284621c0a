/**
 * The admin's group quota routes (issue 16): every group known from the config, grants or
 * users' groups with the quota it sets and where that comes from, an admin override of a
 * group's quota (stored like user quotas, taking effect at once), and removing the override so
 * the config's settings apply again. Audited.
 * @module
 */
import { GroupQuotaJson } from '@gatehouse/api';
import { Type } from 'typebox';
import type { GroupQuotaSettings } from '../../pool/cluster-policy.js';
import { parseQuotaBody } from '../../pool/quota-body.js';
import type { Quota } from '../../pool/quota.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { NameParams, NoContent, adminOf, type Named } from './admin-common.js';
import { QuotaBody } from './admin-quotas.js';

/** The wire keys of quota settings. */
const WIRE_KEYS = [
  ['maxClusters', 'max_clusters'],
  ['maxWorkers', 'max_workers'],
  ['maxCores', 'max_cores'],
  ['maxMemory', 'max_memory'],
] as const;

/** Settings on the wire: only the keys the group sets (null = unlimited). */
function settingsJson(q: Partial<Quota>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [key, wire] of WIRE_KEYS) {
    const v = q[key];
    if (v !== undefined) out[wire] = v;
  }
  return out;
}

/** One group on the wire. */
function groupJson(g: GroupQuotaSettings): GroupQuotaJson {
  return {
    group: g.group,
    quota: settingsJson(g.quota),
    source: g.source,
    config_quota: g.config === null ? null : settingsJson(g.config),
  };
}

/** Registers `/api/v1/admin/group-quotas` and `/api/v1/admin/group-quotas/{group}`. */
export function registerAdminGroupQuotaRoutes(app: ApiApp, ctx: ApiContext): void {
  const { accessStore, policy, clock } = ctx;
  const admin = adminOf(ctx);
  const groups = () => policy.groupQuotas(ctx.access.grantGroups);

  app.get(
    '/api/v1/admin/group-quotas',
    { schema: { response: { 200: Type.Array(GroupQuotaJson) } } },
    async (req) => {
      await admin(req);
      return groups().map(groupJson);
    }
  );

  app.put(
    '/api/v1/admin/group-quotas/:name',
    { schema: { params: NameParams, body: QuotaBody, response: { 200: GroupQuotaJson } } },
    async (req: Named) => {
      const p = await admin(req);
      const group = req.params.name;
      const q = parseQuotaBody(req.body);
      await accessStore.setGroupQuota(group, JSON.stringify(req.body), p.name, clock.now());
      policy.setGroupOverride(group, q);
      ctx.audit(p.name, 'set group quota', group, 'ok', JSON.stringify(req.body));
      const g = groups().find((x) => x.group === group);
      return groupJson(g ?? { group, quota: q, source: 'admin', config: null });
    }
  );

  app.delete(
    '/api/v1/admin/group-quotas/:name',
    { schema: { params: NameParams, response: NoContent } },
    async (req: Named, reply) => {
      const p = await admin(req);
      await accessStore.setGroupQuota(req.params.name, null, p.name, clock.now());
      policy.setGroupOverride(req.params.name, null);
      ctx.audit(p.name, 'clear group quota', req.params.name, 'ok');
      return reply.code(204).send();
    }
  );
}
