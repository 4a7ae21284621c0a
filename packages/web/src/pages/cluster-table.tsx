/**
 * A table of clusters for users and admins: filter by status and by a substring of the name or
 * owner, sort by any column, one page of 50 rows at a time (fast with 1,000 clusters), an
 * optional owner column and actions per row. The filter, sort and page live in the address's
 * query. Below 640 px each row becomes a card (nothing scrolls sideways).
 * @module
 */
import { useState, type ReactNode } from 'react';
import {
  applyQuery,
  paramsFromQuery,
  queryFromParams,
  STATUSES,
  type ClusterQuery,
  type SortKey,
} from '../cluster-query.js';
import { statusReason, workersText } from '../cluster-words.js';
import { formatBytes, formatCoreHours, formatCores, formatDuration } from '../format.js';
import type { ClusterView } from '../gateway-api.js';
import { Link } from '../page-kit.js';

/** What a cluster table gets. */
export interface ClusterTableProps {
  /** Every cluster the table may show (null while loading). */
  readonly clusters: readonly ClusterView[] | null;
  readonly go: (path: string) => void;
  /** The table's accessible name (e.g. "Your clusters"). */
  readonly caption: string;
  /** Adds the owner column (admins). */
  readonly showOwner?: boolean;
  /** The buttons of one row (e.g. Stop), if any. */
  readonly actions?: (c: ClusterView) => ReactNode;
  /** Shown instead of the table when there is no cluster at all. */
  readonly empty?: ReactNode;
}

interface Column {
  readonly key: SortKey | null;
  readonly label: string;
  readonly cell: (c: ClusterView) => ReactNode;
}

function columns(go: (p: string) => void, showOwner: boolean): Column[] {
  const all: (Column | null)[] = [
    {
      key: 'name',
      label: 'Name',
      cell: (c) => (
        <Link go={go} to={`/clusters/${encodeURIComponent(c.name)}`}>
          {c.name}
        </Link>
      ),
    },
    showOwner ? { key: 'owner', label: 'Owner', cell: (c) => c.username } : null,
    {
      key: 'status',
      label: 'Status',
      cell: (c) => (
        <div>
          <span className={`status status-${c.status}`} data-testid="status">
            {c.status}
          </span>
          {statusReason(c) !== '' && <span className="reason"> {statusReason(c)}</span>}
        </div>
      ),
    },
    { key: null, label: 'Profile', cell: (c) => c.profile ?? '—' },
    { key: null, label: 'Environment', cell: (c) => c.environment ?? '—' },
    { key: 'workers', label: 'Workers', cell: (c) => workersText(c) },
    {
      key: 'cores',
      label: 'In use',
      cell: (c) => `${formatCores(c.cores)}, ${formatBytes(c.memory)}`,
    },
    { key: 'age', label: 'Age', cell: (c) => formatDuration(c.age_seconds) },
    {
      key: 'core_hours',
      label: 'Cost so far',
      cell: (c) => formatCoreHours(c.core_hours),
    },
  ];
  return all.filter((c): c is Column => c !== null);
}

function SortHeader(props: { col: Column; query: ClusterQuery; set: (q: ClusterQuery) => void }) {
  const { col, query, set } = props;
  if (col.key === null) return <th scope="col">{col.label}</th>;
  const key = col.key;
  const active = query.sort === key;
  return (
    <th
      scope="col"
      aria-sort={active ? (query.order === 'asc' ? 'ascending' : 'descending') : 'none'}
    >
      <button
        type="button"
        className="sort"
        onClick={() => {
          set({
            ...query,
            sort: key,
            order: active && query.order === 'asc' ? 'desc' : 'asc',
            offset: 0,
          });
        }}
      >
        {col.label}
        <span aria-hidden="true">{active ? (query.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

/** How a sort order reads for column `key` ("newest first" for age). */
function orderWords(key: SortKey | null, order: 'asc' | 'desc'): string {
  if (key === 'age') return order === 'asc' ? 'newest first' : 'oldest first';
  return order === 'asc' ? 'ascending' : 'descending';
}

function Filters(props: { query: ClusterQuery; set: (q: ClusterQuery) => void; cols: Column[] }) {
  const { query, set, cols } = props;
  return (
    <div className="table-filters" role="search">
      <label>
        Search{' '}
        <input
          type="search"
          name="q"
          placeholder="name or owner"
          value={query.q}
          onChange={(e) => {
            set({ ...query, q: e.target.value, offset: 0 });
          }}
        />
      </label>
      <label>
        Status{' '}
        <select
          name="status"
          value={
            query.status.length === 1
              ? (query.status[0] ?? '')
              : query.status.length === 0
                ? ''
                : 'active'
          }
          onChange={(e) => {
            const v = e.target.value;
            const status =
              v === '' ? [] : v === 'active' ? ['PENDING', 'RUNNING', 'STOPPING'] : [v];
            set({ ...query, status, offset: 0 });
          }}
        >
          <option value="">All</option>
          <option value="active">Active</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
      </label>
      <label className="sort-select">
        Sort by{' '}
        <select
          name="sort"
          value={`${query.sort}:${query.order}`}
          onChange={(e) => {
            const [sort, order] = e.target.value.split(':') as [SortKey, 'asc' | 'desc'];
            set({ ...query, sort, order, offset: 0 });
          }}
        >
          {cols.flatMap((c) =>
            c.key === null
              ? []
              : (['asc', 'desc'] as const).map((o) => (
                  <option key={`${String(c.key)}:${o}`} value={`${String(c.key)}:${o}`}>
                    {c.label} ({orderWords(c.key, o)})
                  </option>
                ))
          )}
        </select>
      </label>
    </div>
  );
}

function Pager(props: { query: ClusterQuery; total: number; set: (q: ClusterQuery) => void }) {
  const { query, total, set } = props;
  const first = total === 0 ? 0 : query.offset + 1;
  const last = Math.min(total, query.offset + query.limit);
  return (
    <nav className="pager" aria-label="Pages">
      <span data-testid="row-count">
        {first}–{last} of {total.toLocaleString('en-US')}
      </span>
      <button
        type="button"
        disabled={query.offset === 0}
        onClick={() => {
          set({ ...query, offset: Math.max(0, query.offset - query.limit) });
        }}
      >
        Previous
      </button>
      <button
        type="button"
        disabled={last >= total}
        onClick={() => {
          set({ ...query, offset: query.offset + query.limit });
        }}
      >
        Next
      </button>
    </nav>
  );
}

/** A sortable, filterable, paginated table of clusters. */
export function ClusterTable(props: ClusterTableProps) {
  const { clusters, go, caption, showOwner = false, actions, empty } = props;
  const [query, setQuery] = useState(() =>
    queryFromParams(new URLSearchParams(window.location.search))
  );
  const set = (q: ClusterQuery) => {
    setQuery(q);
    const search = paramsFromQuery(q).toString();
    window.history.replaceState(
      null,
      '',
      `${window.location.pathname}${search === '' ? '' : `?${search}`}`
    );
  };
  if (clusters === null) return <p role="status">Loading clusters…</p>;
  if (clusters.length === 0 && empty !== undefined) return <>{empty}</>;
  const cols = columns(go, showOwner);
  const { rows, total } = applyQuery(clusters, query);
  return (
    <div className="cluster-table">
      <Filters query={query} set={set} cols={cols} />
      <table className="clusters">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {cols.map((c) => (
              <SortHeader key={c.label} col={c} query={query} set={set} />
            ))}
            {actions !== undefined && (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.name} data-cluster={c.name}>
              {cols.map((col) => (
                <td key={col.label} data-label={col.label}>
                  {col.cell(c)}
                </td>
              ))}
              {actions !== undefined && <td className="actions">{actions(c)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p>No cluster matches this filter.</p>}
      <Pager query={query} total={total} set={set} />
    </div>
  );
}
