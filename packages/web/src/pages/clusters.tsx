/**
 * My clusters: the user's clusters as a live table (`cluster-table.tsx`), active ones and the
 * stopped or failed ones of the history period with their reason; a Stop button per active row;
 * below them, the clusters shared with the user ("Shared with me").
 * @module
 */
import type { PageProps } from '../page-kit.js';
import { Link } from '../page-kit.js';
import { useLive } from '../live.js';
import { ClusterTable } from './cluster-table.js';
import { SharedClusters } from './shared-clusters.js';

/** The table of the user's clusters. */
export function ClustersPage({ api, go }: PageProps) {
  const live = useLive(api, () => api.clusters());
  return (
    <section>
      <div className="page-title">
        <h1>My clusters</h1>
        <Link go={go} to="/new" className="button">
          New cluster
        </Link>
      </div>
      {live.error !== '' && (
        <p className="error" role="alert">
          {live.error}
        </p>
      )}
      <ClusterTable
        clusters={live.value}
        go={go}
        caption="Your clusters"
        empty={
          <div className="empty">
            <p>You have no clusters yet.</p>
            <p>
              Start one here with <b>New cluster</b>, or from Python with{' '}
              <code>Gateway().new_cluster()</code>.
            </p>
          </div>
        }
        actions={(c) =>
          c.status === 'PENDING' || c.status === 'RUNNING' ? (
            <button
              type="button"
              className="danger"
              aria-label={`Stop ${c.name}`}
              onClick={() => {
                if (window.confirm(`Stop cluster ${c.name}? Its workers and data will be lost.`))
                  void api.stop(c.name).then(live.refresh, live.refresh);
              }}
            >
              Stop
            </button>
          ) : null
        }
      />
      <SharedClusters api={api} go={go} />
    </section>
  );
}
