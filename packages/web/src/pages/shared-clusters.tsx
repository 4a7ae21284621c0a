/**
 * Shared with me: the clusters other users shared with the user or a group of theirs, with their
 * owner, the user's level (`use`: connect, compute, dashboard; `manage`: also scale, adapt,
 * stop) and status, each linking to its page. Shown below the user's own clusters once anything
 * is shared with them.
 * @module
 */
import { workersText } from '../cluster-words.js';
import type { GatewayApi } from '../gateway-api.js';
import { useLive } from '../live.js';
import { Link } from '../page-kit.js';

/** What each level lets the user do, in words. */
export const LEVEL_WORDS: Readonly<Record<'use' | 'manage', string>> = {
  use: 'use: connect, compute, dashboard',
  manage: 'manage: also scale, adapt, stop',
};

/** The "Shared with me" section (nothing while none is shared or the list cannot be read). */
export function SharedClusters({ api, go }: { api: GatewayApi; go: (p: string) => void }) {
  const live = useLive(api, () => api.sharedWithMe());
  const shared = live.value;
  if (shared === null || shared.length === 0) return null;
  return (
    <section aria-labelledby="shared-heading" data-testid="shared-clusters">
      <h2 id="shared-heading">Shared with me</h2>
      <table className="clusters">
        <caption className="visually-hidden">Clusters shared with you</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Owner</th>
            <th scope="col">Your level</th>
            <th scope="col">Status</th>
            <th scope="col">Workers</th>
          </tr>
        </thead>
        <tbody>
          {shared.map((c) => (
            <tr key={c.name} data-cluster={c.name}>
              <td data-label="Name">
                <Link go={go} to={`/clusters/${encodeURIComponent(c.name)}`}>
                  {c.cluster_name === null ? c.name : `${c.cluster_name} (${c.name})`}
                </Link>
              </td>
              <td data-label="Owner" data-testid="owner">
                {c.username}
              </td>
              <td data-label="Your level" data-testid="level">
                {LEVEL_WORDS[c.share_level]}
              </td>
              <td data-label="Status">
                <span className={`status status-${c.status}`}>{c.status}</span>
              </td>
              <td data-label="Workers">{workersText(c)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
