/**
 * One cluster's card: its name and status, its facts (`cluster-facts.tsx`), the dashboard
 * link, its controls (`cluster-controls.tsx`) and the Python snippet that connects to it.
 * @module
 */
import { useState } from 'react';
import { ConnectSnippet, DashboardLink } from './connect-snippet.js';
import { Link } from '../page-kit.js';
import type { ClusterView, GatewayApi } from '../gateway-api.js';
import { ClusterControls, type Report } from './cluster-controls.js';
import { ClusterFacts } from './cluster-facts.js';

/** A cluster card; `onChange` is called after any action. */
export function ClusterCard(props: {
  api: GatewayApi;
  go: (p: string) => void;
  cluster: ClusterView;
  onChange: () => void;
  /** Admin actions (stop/scale through the admin API) and the owner shown. */
  admin?: boolean;
}) {
  const { api, go, cluster: c, onChange, admin = false } = props;
  const [message, setMessage] = useState('');
  const active = c.status === 'PENDING' || c.status === 'RUNNING';
  const report: Report = (p) => {
    setMessage('');
    p.then(
      (r) => {
        if (r !== null && !r.ok && r.msg !== null) setMessage(r.msg);
        onChange();
      },
      (e: unknown) => {
        setMessage(e instanceof Error ? e.message : String(e));
      }
    );
  };
  return (
    <article className="cluster" data-cluster={c.name}>
      <h2>
        <Link go={go} to={`/clusters/${encodeURIComponent(c.name)}`}>
          {c.name}
        </Link>{' '}
        <span className={`status status-${c.status}`} data-testid="status">
          {c.status}
        </span>
      </h2>
      <ClusterFacts cluster={c} admin={admin} />
      <DashboardLink base={api.base} route={c.dashboard_route} />
      {active && <ClusterControls api={api} cluster={c} admin={admin} report={report} />}
      {message !== '' && (
        <p className="warning" role="status" data-testid="scale-message">
          {message}
        </p>
      )}
      {!admin && active && (
        <ConnectSnippet address={`${window.location.origin}${api.base}`} name={c.name} />
      )}
    </article>
  );
}
