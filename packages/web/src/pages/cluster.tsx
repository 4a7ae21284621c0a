/**
 * One cluster: its card, its events (the live start sequence after a create) and its logs.
 * @module
 */
import { useState } from 'react';
import type { PageProps } from '../page-kit.js';
import { when } from '../format.js';
import type { ProcessLog } from '../gateway-api.js';
import { useLive } from '../live.js';
import { ClusterCard } from './cluster-card.js';

/** Cluster detail page. */
export function ClusterPage({ api, go, name }: PageProps & { name: string }) {
  const mine = (e: { cluster: string | null }) => e.cluster === name;
  const cluster = useLive(
    api,
    async () => (await api.clusters(true)).find((c) => c.name === name) ?? null,
    mine
  );
  const events = useLive(api, () => api.events(name), mine);
  const [logs, setLogs] = useState<ProcessLog[] | null>(null);
  const [logError, setLogError] = useState('');
  const c = cluster.value;
  return (
    <section>
      <h1>Cluster {name}</h1>
      {cluster.error !== '' && <p className="error">{cluster.error}</p>}
      {c === null ? (
        <p>{cluster.error === '' ? 'Loading…' : ''}</p>
      ) : (
        <ClusterCard api={api} go={go} cluster={c} onChange={cluster.refresh} />
      )}
      <h2>Events</h2>
      {events.error !== '' ? (
        <p className="error">Events are not available: {events.error}</p>
      ) : (
        <ol className="events" data-testid="events">
          {(events.value ?? []).map((e) => (
            <li key={e.id} data-type={e.type}>
              <time>{when(e.time)}</time> <code>{e.type}</code> {e.message}
            </li>
          ))}
        </ol>
      )}
      <h2>Logs</h2>
      <button
        onClick={() => {
          api.logs(name).then(setLogs, (e: unknown) => {
            setLogError(e instanceof Error ? e.message : String(e));
          });
        }}
      >
        {logs === null ? 'Show logs' : 'Refresh logs'}
      </button>
      {logError !== '' && <p className="error">{logError}</p>}
      {logs?.map((p) => (
        <details key={p.name} open={p.kind === 'scheduler'}>
          <summary>
            {p.kind} {p.name}
          </summary>
          <pre className="log">{p.text}</pre>
        </details>
      ))}
    </section>
  );
}
