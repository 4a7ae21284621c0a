/**
 * The core-hour budgets (issue 21) over the recorded usage, the admins' extra grants, the
 * user groups the policy remembers, and the manager (to stop clusters out of hours).
 * @module
 */
import type { Logger } from 'pino';
import { Budgets } from '../budget/budgets.js';
import type { BudgetGrants } from '../budget/budget-grants.js';
import type { Clock } from '../clock.js';
import type { ClusterManager } from '../clusters/manager.js';
import type { GatewayConfig } from '../config/load.js';
import type { ClusterPolicy } from '../pool/cluster-policy.js';
import type { Stores } from './store.js';

/** No grants (stores built by hand in tests): every period has none. */
const noGrants: BudgetGrants = {
  add: () => Promise.reject(new Error('budget grants are not stored here')),
  list: () => Promise.resolve([]),
  totals: () => Promise.resolve(new Map()),
};

/** Builds the budgets; `start()` them on the leader. */
export function createBudgets(
  config: GatewayConfig,
  p: { stores: Stores; policy: ClusterPolicy; manager: ClusterManager; clock: Clock; log: Logger }
): Budgets {
  const { stores, policy, manager } = p;
  const log = p.log.child({ module: 'budgets' });
  return new Budgets({
    config: config.budgets,
    clock: p.clock,
    usageSince: (since) => stores.accessStore.usageSince(since),
    grants: stores.budgetGrants ?? noGrants,
    groupsOf: (user) => policy.groupsOf(user),
    clusters: () => manager.all(),
    stop: async (c, reason) => {
      log.info({ cluster: c.name, user: c.username }, 'budget used up: stopping cluster');
      await manager.stop(c, reason, 'gatehouse');
    },
    emit: (c, type, message, data) => {
      stores.events.record({
        type,
        cluster: c.name,
        worker: null,
        username: c.username,
        actor: 'gatehouse',
        message,
        data,
      });
    },
    onError: (err) => {
      log.error({ err }, 'budget check failed');
    },
  });
}
