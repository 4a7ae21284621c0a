/**
 * One cluster's summary and controls: status, workers, cores, memory, age, time left, the
 * dashboard link, scale, adaptive min/max, stop (with confirmation) and the Python snippet.
 * @module
 */
import { useState } from 'react';
import { Link } from '../page-kit.js';
import type { ClusterView, GatewayApi } from '../gateway-api.js';
import { bytes, duration } from '../format.js';

/** The Python lines that connect to `name` from a notebook. */
export function pythonSnippet(address: string, name: string): string {
  return [
    'from dask_gateway import Gateway',
    `gateway = Gateway("${address}")`,
    `cluster = gateway.connect("${name}")`,
    'client = cluster.get_client()',
  ].join('\n');
}

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
  const [count, setCount] = useState(String(c.requested_workers));
  const [min, setMin] = useState('0');
  const [max, setMax] = useState('4');
  const [adaptive, setAdaptive] = useState(false);
  const [message, setMessage] = useState('');
  const [copied, setCopied] = useState(false);
  const active = c.status === 'PENDING' || c.status === 'RUNNING';
  const report = (p: Promise<{ ok: boolean; msg: string | null } | null>) => {
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
  const address = `${window.location.origin}${api.base}`;
  const snippet = pythonSnippet(address, c.name);
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
      <dl>
        {admin && (
          <>
            <dt>Owner</dt>
            <dd>{c.username}</dd>
          </>
        )}
        <dt>Workers</dt>
        <dd data-testid="workers">
          {c.workers} running
          {c.requested_workers !== c.workers ? `, ${String(c.requested_workers)} requested` : ''}
        </dd>
        <dt>In use</dt>
        <dd>
          {c.cores} cores, {bytes(c.memory)}
        </dd>
        <dt>Age</dt>
        <dd>{duration(c.age_seconds)}</dd>
        {c.lifetime_left_seconds !== null && (
          <>
            <dt>Time left</dt>
            <dd>{duration(c.lifetime_left_seconds)} before the lifetime limit</dd>
          </>
        )}
        {c.stop_reason !== null && (
          <>
            <dt>Stop reason</dt>
            <dd data-testid="stop-reason">{c.stop_reason}</dd>
          </>
        )}
      </dl>
      {c.dashboard_route !== null && (
        <p>
          <a
            className="dashboard"
            href={`${api.base}${c.dashboard_route}`}
            target="_blank"
            rel="noreferrer"
          >
            Open dashboard
          </a>
        </p>
      )}
      {active && (
        <div className="controls">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              setAdaptive(false);
              report(
                admin ? api.admin.scale(c.name, Number(count)) : api.scale(c.name, Number(count))
              );
            }}
          >
            <label>
              Workers{' '}
              <input
                name="count"
                type="number"
                min="0"
                value={count}
                onChange={(e) => {
                  setCount(e.target.value);
                }}
              />
            </label>
            <button type="submit">Scale</button>
          </form>
          {!admin && (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                if (adaptive) {
                  setAdaptive(false);
                  report(api.stopAdapt(c.name));
                } else {
                  setAdaptive(true);
                  report(api.adapt(c.name, Number(min), Number(max)));
                }
              }}
            >
              <label>
                Adaptive min{' '}
                <input
                  name="min"
                  type="number"
                  min="0"
                  value={min}
                  onChange={(e) => {
                    setMin(e.target.value);
                  }}
                />
              </label>
              <label>
                max{' '}
                <input
                  name="max"
                  type="number"
                  min="0"
                  value={max}
                  onChange={(e) => {
                    setMax(e.target.value);
                  }}
                />
              </label>
              <button type="submit">{adaptive ? 'Stop adapting' : 'Adapt'}</button>
            </form>
          )}
          <button
            className="danger"
            onClick={() => {
              if (window.confirm(`Stop cluster ${c.name}? Its workers and data will be lost.`))
                report(admin ? api.admin.stop(c.name) : api.stop(c.name));
            }}
          >
            Stop
          </button>
        </div>
      )}
      {message !== '' && <p className="warning">{message}</p>}
      {!admin && active && (
        <div className="snippet">
          <pre>{snippet}</pre>
          <button
            onClick={() => {
              void navigator.clipboard.writeText(snippet).then(() => {
                setCopied(true);
              });
            }}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      )}
    </article>
  );
}
