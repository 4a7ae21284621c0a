/**
 * Admin: every cluster of every user (filter, stop, scale), users with grants, quotas and usage,
 * pending access requests, API tokens and a usage chart.
 * @module
 */
import { useEffect, useState } from 'react';
import type { PageProps } from '../page-kit.js';
import { bytes, when } from '../format.js';
import type { TokenInfo, UsageDay } from '../gateway-api.js';
import { useLive } from '../live.js';
import { ClusterCard } from './cluster-card.js';
import { UsageChart } from './usage-chart.js';

const limit = (v: number | null, f: (n: number) => string = String) => (v === null ? '∞' : f(v));

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
  const [tokens, setTokens] = useState<TokenInfo[]>([]);
  const [usage, setUsage] = useState<UsageDay[]>([]);
  const [issued, setIssued] = useState('');
  const [tokUser, setTokUser] = useState('');
  const [tokLabel, setTokLabel] = useState('');
  const [tokAdmin, setTokAdmin] = useState(false);
  const [error, setError] = useState('');
  const fail = (e: unknown) => {
    setError(e instanceof Error ? e.message : String(e));
  };
  const loadTokens = () => {
    api.admin.tokens().then(setTokens, fail);
  };
  useEffect(() => {
    loadTokens();
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
      {(requests.value ?? []).length === 0 ? (
        <p>No pending requests.</p>
      ) : (
        <table data-testid="requests">
          <tbody>
            {(requests.value ?? []).map((r) => (
              <tr key={r.id} data-user={r.username}>
                <td>{r.username}</td>
                <td>{r.message}</td>
                <td>{when(r.created_at)}</td>
                <td>
                  <button
                    onClick={() => {
                      after(api.admin.approve(r.id));
                    }}
                  >
                    Approve
                  </button>{' '}
                  <button
                    onClick={() => {
                      after(api.admin.deny(r.id));
                    }}
                  >
                    Deny
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
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
      <table data-testid="users">
        <thead>
          <tr>
            <th>User</th>
            <th>Access</th>
            <th>Clusters</th>
            <th>Workers</th>
            <th>Cores</th>
            <th>Memory</th>
            <th>Quota (clusters / workers / cores / memory)</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(users.value ?? []).map((u) => (
            <tr key={u.name}>
              <td>{u.name}</td>
              <td>{u.granted ? 'granted' : u.pending_request ? 'requested' : 'none'}</td>
              <td>{u.active_clusters}</td>
              <td>{u.usage.workers}</td>
              <td>{u.usage.cores}</td>
              <td>{bytes(u.usage.memory)}</td>
              <td>
                {limit(u.quota.max_clusters)} / {limit(u.quota.max_workers)} /{' '}
                {limit(u.quota.max_cores)} / {limit(u.quota.max_memory, bytes)}
              </td>
              <td>
                {u.granted ? (
                  <button
                    onClick={() => {
                      after(api.admin.revoke(u.name));
                    }}
                  >
                    Revoke
                  </button>
                ) : (
                  <button
                    onClick={() => {
                      after(api.admin.grant(u.name));
                    }}
                  >
                    Grant
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>API tokens</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          api.admin.issueToken(tokUser, tokLabel, tokAdmin).then((t) => {
            setIssued(t.token);
            loadTokens();
          }, fail);
        }}
      >
        <input
          name="token-user"
          placeholder="user"
          value={tokUser}
          onChange={(e) => {
            setTokUser(e.target.value);
          }}
        />
        <input
          name="token-label"
          placeholder="label"
          value={tokLabel}
          onChange={(e) => {
            setTokLabel(e.target.value);
          }}
        />
        <label>
          <input
            type="checkbox"
            checked={tokAdmin}
            onChange={(e) => {
              setTokAdmin(e.target.checked);
            }}
          />{' '}
          admin
        </label>
        <button type="submit">Issue token</button>
      </form>
      {issued !== '' && (
        <p className="ok">
          New token (shown once): <code data-testid="issued-token">{issued}</code>
        </p>
      )}
      <table>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id}>
              <td>{t.id}</td>
              <td>
                {t.username}
                {t.admin ? ' (admin)' : ''}
              </td>
              <td>{t.label}</td>
              <td>{when(t.created_at)}</td>
              <td>
                {t.revoked_at === null ? (
                  <button
                    onClick={() => {
                      api.admin.revokeToken(t.id).then(loadTokens, fail);
                    }}
                  >
                    Revoke
                  </button>
                ) : (
                  'revoked'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Usage, last 14 days</h2>
      <UsageChart rows={usage} />
    </section>
  );
}
