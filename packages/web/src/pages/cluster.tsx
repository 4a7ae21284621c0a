/**
 * One cluster, a page worth keeping open: its name, status and reason; the connect snippet and
 * dashboard link; its controls; its facts (profile, environment, workers, use, cost); a live
 * chart of its workers; the options it was started with; its events in plain words; its logs
 * following live; for its owner, the Sharing panel. A cluster shared with the user says whose it
 * is and their level (no controls with `use`). A missing or foreign cluster (or a revoked
 * share) gets the not-found page.
 * @module
 */
import { useCallback, useEffect, useState } from 'react';
import { NotFoundError } from '@gatehouse/sdk';
import { statusReason } from '../cluster-words.js';
import { endedWorkers } from '../event-groups.js';
import type { ClusterDetailView, GatewayApi } from '../gateway-api.js';
import { useLive, useNow } from '../live.js';
import type { PageProps } from '../page-kit.js';
import { ClusterControls, type Report } from './cluster-controls.js';
import { ClusterEvents } from './cluster-events.js';
import { ClusterFacts } from './cluster-facts.js';
import { ClusterLogs } from './cluster-logs.js';
import { ClusterOptions } from './cluster-options.js';
import { ClusterSharing } from './cluster-sharing.js';
import { ConnectSnippet, DashboardLink } from './connect-snippet.js';
import { LEVEL_WORDS } from './shared-clusters.js';
import { LoadingPage, NotFoundPage } from './states.js';
import { WorkerChart } from './worker-chart.js';

function Heading({ c }: { c: ClusterDetailView }) {
  const reason = statusReason(c);
  return (
    <div className="page-title">
      <h1>
        Cluster {c.name}{' '}
        <span className={`status status-${c.status}`} data-testid="status">
          {c.status}
        </span>
      </h1>
      {reason !== '' && <p className="reason">{reason}</p>}
    </div>
  );
}

function Connect({ api, c }: { api: GatewayApi; c: ClusterDetailView }) {
  if (c.status !== 'PENDING' && c.status !== 'RUNNING') return null;
  return (
    <section aria-labelledby="connect-heading">
      <h2 id="connect-heading">Connect</h2>
      <ConnectSnippet address={`${window.location.origin}${api.base}`} name={c.name} />
      <DashboardLink base={api.base} route={c.dashboard_route} />
    </section>
  );
}

/** Scales to the `?workers=` the new-cluster form asked for, once the scheduler runs. */
function useInitialWorkers(
  api: GatewayApi,
  name: string,
  status: string | undefined,
  report: Report
) {
  const [initial, setInitial] = useState(() =>
    Number(new URLSearchParams(window.location.search).get('workers') ?? 0)
  );
  useEffect(() => {
    if (!(initial > 0) || status !== 'RUNNING') return;
    setInitial(0);
    window.history.replaceState(null, '', window.location.pathname);
    report(api.scale(name, initial));
  }, [api, name, status, initial, report]);
}

/** The label of each option field (empty until loaded, or when the spec cannot be read). */
function useOptionLabels(api: GatewayApi): ReadonlyMap<string, string> {
  const [labels, setLabels] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    api.options().then(
      (opts) => {
        setLabels(new Map(opts.map((o) => [o.field, o.label])));
      },
      () => undefined
    );
  }, [api]);
  return labels;
}

/** Whose cluster it is when it is shared with the user, and their level. */
function SharedNote({ c }: { c: ClusterDetailView }) {
  if (c.share_level === undefined) return null;
  return (
    <p className="reason" data-testid="shared-note">
      Shared with you by {c.username}: {LEVEL_WORDS[c.share_level]}.
    </p>
  );
}

/** Cluster detail page; `me` is the signed-in user (the owner gets the Sharing panel). */
export function ClusterPage({ api, go, name, me }: PageProps & { name: string; me: string }) {
  const mine = (e: { cluster: string | null }) => e.cluster === name;
  const cluster = useLive(api, () => api.cluster(name), mine);
  const events = useLive(api, () => api.events(name), mine);
  const pool = useLive(
    api,
    () => api.pool(),
    () => false,
    10_000
  );
  const now = useNow();
  const labels = useOptionLabels(api);
  const [message, setMessage] = useState('');
  const refresh = cluster.refresh;
  const report: Report = useCallback(
    (p) => {
      setMessage('');
      p.then(
        (r) => {
          if (r !== null && r.msg !== null) setMessage(r.msg);
          refresh();
        },
        (e: unknown) => {
          setMessage(e instanceof Error ? e.message : String(e));
        }
      );
    },
    [refresh]
  );
  const c = cluster.value;
  useInitialWorkers(api, name, c?.status, report);
  if (c === null) {
    if (cluster.failure instanceof NotFoundError) return <NotFoundPage go={go} cluster={name} />;
    return <LoadingPage title={`Cluster ${name}`} error={cluster.error} />;
  }
  const active = c.status === 'PENDING' || c.status === 'RUNNING';
  return (
    <section className="cluster-page" data-cluster={c.name}>
      <Heading c={c} />
      {cluster.error !== '' && (
        <p className="error" role="alert">
          {cluster.error}
        </p>
      )}
      <SharedNote c={c} />
      <Connect api={api} c={c} />
      {active && c.share_level !== 'use' && (
        <ClusterControls api={api} cluster={c} admin={false} report={report} pool={pool.value} />
      )}
      {message !== '' && (
        <p className="warning" role="status" data-testid="scale-message">
          {message}
        </p>
      )}
      <h2>Overview</h2>
      <ClusterFacts cluster={c} admin={false} />
      <h2>Workers over time</h2>
      <WorkerChart
        series={c.worker_series}
        start={c.start_time}
        current={{ at: c.stop_time ?? now, target: c.workers_target, running: c.workers_running }}
      />
      {c.username === me && <ClusterSharing api={api} name={c.name} />}
      <ClusterOptions options={c.options} labels={labels} />
      <ClusterEvents events={events.value} error={events.error} now={now} />
      <ClusterLogs api={api} name={name} live={active} ended={endedWorkers(events.value ?? [])} />
    </section>
  );
}
