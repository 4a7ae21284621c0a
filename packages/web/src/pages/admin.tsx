/**
 * Admin: every cluster of every user (filter, stop, scale), users with grants, quotas and usage,
 * pending access requests, API tokens and a usage chart. The tables are modules of their own
 * (`admin-requests.tsx`, `admin-users.tsx`, `admin-tokens.tsx`).
 * @module
 */
import { useEffect, useState } from 'react';
import type { PageProps } from '../page-kit.js';
import type { UsageDay } from '../gateway-api.js';
import { useLive } from '../live.js';
import { AccessRequestsTable } from './admin-requests.js';
import { ApiTokens } from './admin-tokens.js';
import { UsersTable } from './admin-users.js';
import { ClusterCard } from './cluster-card.js';
import { UsageChart } from './usage-chart.js';

/** Admin page. */
export function AdminPage({ api, go }: PageProps) {
  const [filter, setFilter] = useState('');
  const clusters = useLive(api, () => api.admin.clusters(filter));
  const users = useLive(
    api,
    () => api.admin.users(),
    () => true,
    5000
  );
  const requests = useLive(
    api,
    () => api.admin.requests(),
    () => false,
    3000
  );
  const [usage, setUsage] = useState<UsageDay[]>([]);
  const [error, setError] = useState('');
  const fail = (e: unknown) => {
    setError(e instanceof Error ? e.message : String(e));
  };
  useEffect(() => {
    api.admin.usage(14).then(setUsage, fail);
  }, [api]);
  const after = (p: Promise<unknown>) => {
    p.then(() => {
      users.refresh();
      requests.refresh();
      clusters.refresh();
    }, fail);
  };
  return (
    <section>
      <h1>Admin</h1>
      {error !== '' && <p className="error">{error}</p>}
      <h2>Access requests</h2>
      <AccessRequestsTable api={api} requests={requests.value ?? []} after={after} />
      <h2>Clusters</h2>
      <label>
        Filter by user{' '}
        <input
          name="filter"
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
          }}
          onBlur={clusters.refresh}
        />
      </label>
      {(clusters.value ?? []).length === 0 && <p>No active clusters.</p>}
      {(clusters.value ?? []).map((c) => (
        <ClusterCard key={c.name} api={api} go={go} cluster={c} onChange={clusters.refresh} admin />
      ))}
      <h2>Users</h2>
      <UsersTable api={api} users={users.value ?? []} after={after} />
      <h2>API tokens</h2>
      <ApiTokens api={api} fail={fail} />
      <h2>Usage, last 14 days</h2>
      <UsageChart rows={usage} />
    </section>
  );
}
