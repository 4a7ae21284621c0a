/**
 * My clusters: every active cluster of the user, live.
 * @module
 */
import type { PageProps } from '../page-kit.js';
import { Link } from '../page-kit.js';
import { useLive } from '../live.js';
import { ClusterCard } from './cluster-card.js';

/** The list of the user's clusters. */
export function ClustersPage({ api, go }: PageProps) {
  const live = useLive(api, () => api.clusters());
  return (
    <section>
      <h1>My clusters</h1>
      {live.error !== '' && <p className="error">{live.error}</p>}
      {live.value === null ? (
        <p>Loading…</p>
      ) : live.value.length === 0 ? (
        <p>
          You have no running clusters.{' '}
          <Link go={go} to="/new">
            Start one
          </Link>
          .
        </p>
      ) : (
        live.value.map((c) => (
          <ClusterCard key={c.name} api={api} go={go} cluster={c} onChange={live.refresh} />
        ))
      )}
    </section>
  );
}
