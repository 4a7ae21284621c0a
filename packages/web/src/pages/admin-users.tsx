/**
 * The admin page's users table: access, usage now, quota, and grant or revoke.
 * @module
 */
import type { AdminUser, GatewayApi } from '../gateway-api.js';
import { bytes } from '../format.js';

const limit = (v: number | null, f: (n: number) => string = String) => (v === null ? '∞' : f(v));

/** Every user the gateway knows; `after` runs a grant or revoke and refreshes the page. */
export function UsersTable(props: {
  api: GatewayApi;
  users: readonly AdminUser[];
  after: (p: Promise<unknown>) => void;
}) {
  const { api, users, after } = props;
  return (
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
        {users.map((u) => (
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
  );
}
