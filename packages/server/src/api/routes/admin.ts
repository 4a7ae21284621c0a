/**
 * The admin API under `/api/v1/admin/`: every cluster of every user (admin-clusters.ts), users,
 * grants and access requests (admin-access.ts), API tokens (admin-tokens.ts), quotas
 * (admin-quotas.ts, admin-group-quotas.ts), usage, environments and the audit log (admin-records.ts). Every route needs
 * the admin role, and every change is audited.
 * @module
 */
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { registerAdminRequestRoutes, registerAdminUserRoutes } from './admin-access.js';
import { registerAdminClusterRoutes } from './admin-clusters.js';
import { registerAdminGroupQuotaRoutes } from './admin-group-quotas.js';
import { registerAdminQuotaRoutes } from './admin-quotas.js';
import { registerAdminQueueRoutes } from './admin-queue.js';
import { registerAdminRecordRoutes } from './admin-records.js';
import { registerAdminTokenRoutes } from './admin-tokens.js';

export { usageByDay } from './admin-records.js';

/** Registers the admin routes. */
export function registerAdminRoutes(app: ApiApp, ctx: ApiContext): void {
  registerAdminClusterRoutes(app, ctx);
  registerAdminUserRoutes(app, ctx);
  registerAdminRequestRoutes(app, ctx);
  registerAdminTokenRoutes(app, ctx);
  registerAdminQuotaRoutes(app, ctx);
  registerAdminGroupQuotaRoutes(app, ctx);
  registerAdminRecordRoutes(app, ctx);
  registerAdminQueueRoutes(app, ctx);
}
