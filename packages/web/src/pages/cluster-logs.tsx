/**
 * A cluster's logs, one block per process ("Scheduler", "Worker <name>"), following live while
 * the cluster runs (fetched again every 3 s, scrolled to the end), with stopped and failed
 * workers marked.
 * @module
 */
import { useEffect, useRef, useState } from 'react';
import type { GatewayApi, ProcessLog } from '../gateway-api.js';

function LogBlock(props: { p: ProcessLog; ended: 'stopped' | 'failed' | undefined }) {
  const { p, ended } = props;
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    const el = pre.current;
    if (el !== null) el.scrollTop = el.scrollHeight;
  }, [p.text]);
  const title = p.kind === 'scheduler' ? 'Scheduler' : `Worker ${p.name}`;
  return (
    <details open={p.kind === 'scheduler' || ended === undefined} data-process={p.name}>
      <summary>
        <h3>{title}</h3>
        {ended !== undefined && <span className={`status status-${ended}`}>{ended}</span>}
      </summary>
      <pre className="log" ref={pre} tabIndex={0} aria-label={`Log of ${title}`}>
        {p.text === '' ? '(no output yet)' : p.text}
      </pre>
    </details>
  );
}

/** The logs of cluster `name`; `live` while it runs. */
export function ClusterLogs(props: {
  api: GatewayApi;
  name: string;
  live: boolean;
  ended: ReadonlyMap<string, 'stopped' | 'failed'>;
}) {
  const { api, name, live, ended } = props;
  const [logs, setLogs] = useState<ProcessLog[] | null>(null);
  const [error, setError] = useState('');
  const [follow, setFollow] = useState(true);
  useEffect(() => {
    let stop = false;
    const load = () => {
      api.logs(name).then(
        (l) => {
          if (!stop) {
            setLogs(l);
            setError('');
          }
        },
        (e: unknown) => {
          if (!stop) setError(e instanceof Error ? e.message : String(e));
        }
      );
    };
    load();
    const t = live && follow ? setInterval(load, 3000) : undefined;
    return () => {
      stop = true;
      if (t !== undefined) clearInterval(t);
    };
  }, [api, name, live, follow]);
  const sorted = [...(logs ?? [])].sort(
    (a, b) =>
      Number(b.kind === 'scheduler') - Number(a.kind === 'scheduler') ||
      Number(ended.has(a.name)) - Number(ended.has(b.name)) ||
      a.name.localeCompare(b.name)
  );
  return (
    <section data-testid="logs" aria-labelledby="logs-heading">
      <h2 id="logs-heading">Logs</h2>
      {live && (
        <label className="follow">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => {
              setFollow(e.target.checked);
            }}
          />{' '}
          Follow live
        </label>
      )}
      {error !== '' && (
        <p className="error" role="alert">
          Logs are not available: {error}
        </p>
      )}
      {logs === null && error === '' && <p role="status">Loading logs…</p>}
      {logs?.length === 0 && <p>No process has written a log yet.</p>}
      {sorted.map((p) => (
        <LogBlock key={p.name} p={p} ended={ended.get(p.name)} />
      ))}
    </section>
  );
}
