/**
 * The admin's records: usage in core-hours and memory-GiB-hours per user per UTC day, the
 * Python environments users may choose (re-checked), and the audit log.
 * @module
 */
import { Type } from 'typebox';
import { AuditJson, EnvironmentJson, UsageDay } from '@gatehouse/api';
import { invalid } from '../../errors.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { adminOf, type WithQuery } from './admin-common.js';

/** Registers `/api/v1/admin/usage`, `/api/v1/admin/environments` and `/api/v1/admin/audit`. */
export function registerAdminRecordRoutes(app: ApiApp, ctx: ApiContext): void {
  const { accessStore, clock } = ctx;
  const admin = adminOf(ctx);

  app.get(
    '/api/v1/admin/usage',
    {
      schema: {
        querystring: Type.Object({
          days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, default: 7 })),
        }),
        response: { 200: Type.Array(UsageDay) },
      },
    },
    async (req: WithQuery) => {
      await admin(req);
      const daysRaw = req.query['days'] ?? '7';
      const days = Number(daysRaw);
      if (!Number.isInteger(days) || days < 1 || days > 366)
        throw invalid('days must be an integer from 1 to 366');
      const now = clock.now();
      const since = now - days * 86_400_000;
      const rows = await accessStore.usageSince(since);
      return usageByDay(rows, since, now);
    }
  );

  app.get(
    '/api/v1/admin/environments',
    { schema: { response: { 200: Type.Array(EnvironmentJson) } } },
    async (req) => {
      await admin(req);
      await ctx.environments?.refresh();
      return (ctx.environments?.list() ?? []).map(({ checkedAt, ...e }) => ({
        ...e,
        groups: [...e.groups],
        checked_at: checkedAt,
      }));
    }
  );

  app.get(
    '/api/v1/admin/audit',
    {
      schema: {
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 200 })),
        }),
        response: { 200: Type.Array(AuditJson) },
      },
    },
    async (req: WithQuery) => {
      await admin(req);
      const limit = Number(req.query['limit'] ?? '200');
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw invalid('limit must be an integer from 1 to 10000');
      return accessStore.listAudit({ limit });
    }
  );
}

/** Splits usage intervals into core-hours and memory-GiB-hours per user per UTC day. */
export function usageByDay(
  rows: ReadonlyArray<{
    username: string;
    cores: number;
    memory: number;
    start_time: number;
    stop_time: number | null;
  }>,
  since: number,
  now: number
): Array<{ username: string; day: string; core_hours: number; memory_gib_hours: number }> {
  const acc = new Map<
    string,
    { username: string; day: string; core_hours: number; memory_gib_hours: number }
  >();
  for (const r of rows) {
    let t = Math.max(r.start_time, since);
    const end = Math.min(r.stop_time ?? now, now);
    while (t < end) {
      const dayStart = Math.floor(t / 86_400_000) * 86_400_000;
      const sliceEnd = Math.min(end, dayStart + 86_400_000);
      const hours = (sliceEnd - t) / 3_600_000;
      const day = new Date(dayStart).toISOString().slice(0, 10);
      const key = `${r.username}\u0000${day}`;
      const e = acc.get(key) ?? { username: r.username, day, core_hours: 0, memory_gib_hours: 0 };
      e.core_hours += hours * r.cores;
      e.memory_gib_hours += (hours * r.memory) / 2 ** 30;
      acc.set(key, e);
      t = sliceEnd;
    }
  }
  return [...acc.values()].sort(
    (a, b) => a.day.localeCompare(b.day) || a.username.localeCompare(b.username)
  );
}
