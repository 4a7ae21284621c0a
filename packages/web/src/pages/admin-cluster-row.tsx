/**
 * One row of the admin clusters table: the cluster (linked to its page, where a stopped one's
 * reason and events are), owner, status with reason, profile, environment, workers running /
 * starting / target, cores and memory held now, age, core-hours so far, and scale and stop.
 * @module
 */
import { useState } from 'react';
import {
  formatBytes,
  formatCoreHours,
  formatCores,
  formatDuration,
  type AdminCluster,
  type ClusterSortKey,
} from '@gatehouse/api';
import { statusReason } from '../cluster-words.js';
import type { GatewayApi } from '../gateway-api.js';
import { Link } from '../page-kit.js';

/** The table's columns: label, the server's sort key (null: not sortable), numeric. */
export const COLUMNS: readonly (readonly [string, ClusterSortKey | null, boolean])[] = [
  ['Cluster', 'name', false],
  ['Owner', 'owner', false],
  ['Status', 'status', false],
  ['Profile', null, false],
  ['Workers', 'workers', true],
  ['In use', 'cores', true],
  ['Age', 'age', true],
  ['Core-hours', 'core_hours', true],
  ['Actions', null, false],
];

const ACTIVE = new Set(['PENDING', 'RUNNING']);

/** The status and, for a finished cluster, why it ended. */
function Status({ c }: { c: AdminCluster }) {
  const why = statusReason(c);
  return (
    <>
      <span className={`status status-${c.status}`}>{c.status}</span>
      {why !== '' && <span className="stop-reason">{why}</span>}
    </>
  );
}

function ScaleForm(props: { c: AdminCluster; scale: (n: number) => void }) {
  const { c, scale } = props;
  const [n, setN] = useState(String(c.workers_target));
  const [bad, setBad] = useState(false);
  const id = `scale-${c.name}`;
  return (
    <form
      className="row-scale"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const v = Number(n);
        const ok = n.trim() !== '' && Number.isInteger(v) && v >= 0;
        setBad(!ok);
        if (ok) scale(v);
      }}
    >
      <label htmlFor={id} className="visually-hidden">
        Workers for {c.name}
      </label>
      <input
        id={id}
        inputMode="numeric"
        size={4}
        value={n}
        aria-invalid={bad}
        aria-describedby={bad ? `${id}-error` : undefined}
        onChange={(e) => {
          setN(e.target.value);
        }}
      />
      <button type="submit">
        Scale <span className="visually-hidden">{c.name}</span>
      </button>
      {bad && (
        <span id={`${id}-error`} className="field-error" role="alert">
          Workers must be a whole number of 0 or more.
        </span>
      )}
    </form>
  );
}

/** One cluster; `act` runs an action and reports its outcome. */
export function ClusterRow(props: {
  c: AdminCluster;
  api: GatewayApi;
  go: (p: string) => void;
  act: (p: Promise<unknown>, ok: string) => void;
}) {
  const { c, api, go, act } = props;
  const active = ACTIVE.has(c.status);
  return (
    <tr data-cluster={c.name} data-owner={c.username} data-status={c.status}>
      <th scope="row" className="name" title={c.name}>
        <Link go={go} to={`/clusters/${encodeURIComponent(c.name)}`}>
          {c.name}
        </Link>
      </th>
      <td data-label="Owner">{c.username}</td>
      <td data-label="Status">
        <Status c={c} />
      </td>
      <td data-label="Profile">
        {c.profile ?? <span className="muted">default</span>}
        {c.environment !== null && <span className="stop-reason">{c.environment}</span>}
      </td>
      <td data-label="Workers" className="num" title="running / starting / target">
        {c.workers_running} / {c.workers_starting} / {c.workers_target}
        {c.adaptive !== null && (
          <span className="stop-reason">
            adaptive {c.adaptive.minimum}–{c.adaptive.maximum}
          </span>
        )}
      </td>
      <td data-label="In use" className="num">
        {formatCores(c.cores)}
        <span className="stop-reason">{formatBytes(c.memory)}</span>
      </td>
      <td data-label="Age" className="num">
        {formatDuration(c.age_seconds)}
      </td>
      <td data-label="Core-hours" className="num">
        {formatCoreHours(c.core_hours)}
      </td>
      <td data-label="Actions">
        {active ? (
          <div className="row-actions">
            <ScaleForm
              c={c}
              scale={(n) => {
                act(
                  api.admin
                    .scale(c.name, n)
                    .then((r) => r.msg ?? `Asked ${c.name} to scale to ${String(n)}.`),
                  ''
                );
              }}
            />
            <button
              className="danger"
              onClick={() => {
                if (window.confirm(`Stop ${c.username}'s cluster ${c.name}?`))
                  act(api.admin.stop(c.name), `Stopping ${c.name}.`);
              }}
            >
              Stop <span className="visually-hidden">{c.name}</span>
            </button>
          </div>
        ) : (
          ''
        )}
      </td>
    </tr>
  );
}
