/**
 * The admin page's pending access requests, each with approve and deny.
 * @module
 */
import type { AccessRequest, GatewayApi } from '../gateway-api.js';
import { when } from '../format.js';

/** Pending requests; `after` runs a decision and refreshes the page. */
export function AccessRequestsTable(props: {
  api: GatewayApi;
  requests: readonly AccessRequest[];
  after: (p: Promise<unknown>) => void;
}) {
  const { api, requests, after } = props;
  if (requests.length === 0) return <p>No pending requests.</p>;
  return (
    <table data-testid="requests">
      <tbody>
        {requests.map((r) => (
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
  );
}
