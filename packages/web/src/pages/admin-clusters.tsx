/**
 * The admin clusters section: every user's clusters, recent stopped and failed ones included
 * with their reason, as a table sorted, filtered and paged by the server (so a thousand rows
 * cost one page), with scale and stop for the active ones.
 * @module
 */
import { useEffect, useState } from 'react';
import type { AdminCluster, ClusterSortKey } from '@gatehouse/api';
import { useLive } from '../live.js';
import type { AdminSectionProps, ClusterQuery } from './admin-calls.js';
import { ClusterRow, COLUMNS } from './admin-cluster-row.js';
import { Problem, useAction } from './admin-kit.js';

const PAGE_SIZES = [25, 50, 100] as const;
const STATUS_FILTERS = [
  ['', 'Active and recent'],
  ['PENDING,RUNNING,STOPPING', 'Active'],
  ['RUNNING', 'Running'],
  ['PENDING', 'Pending'],
  ['STOPPED', 'Stopped'],
  ['FAILED', 'Failed'],
] as const;

function SortHeader(props: {
  label: string;
  k: ClusterSortKey;
  query: ClusterQuery;
  set: (q: ClusterQuery) => void;
  num: boolean;
}) {
  const { label, k, query, set, num } = props;
  const active = query.sort === k;
  return (
    <th
      scope="col"
      className={num ? 'num' : undefined}
      aria-sort={active ? (query.order === 'asc' ? 'ascending' : 'descending') : undefined}
    >
      <button
        className="sort"
        onClick={() => {
          set({
            ...query,
            sort: k,
            order: active && query.order === 'desc' ? 'asc' : active ? 'desc' : 'asc',
            offset: 0,
          });
        }}
      >
        {label}
        <span aria-hidden="true">{active ? (query.order === 'asc' ? ' ▲' : ' ▼') : ''}</span>
      </button>
    </th>
  );
}

function Pager(props: { query: ClusterQuery; total: number; set: (q: ClusterQuery) => void }) {
  const { query, total, set } = props;
  const first = total === 0 ? 0 : query.offset + 1;
  const last = Math.min(total, query.offset + query.limit);
  return (
    <nav className="pager" aria-label="Pages of clusters">
      <span data-testid="cluster-range" aria-live="polite">
        {first.toLocaleString('en-US')}–{last.toLocaleString('en-US')} of{' '}
        {total.toLocaleString('en-US')}
      </span>
      <button
        disabled={query.offset === 0}
        onClick={() => {
          set({ ...query, offset: Math.max(0, query.offset - query.limit) });
        }}
      >
        Previous page
      </button>
      <button
        disabled={last >= total}
        onClick={() => {
          set({ ...query, offset: query.offset + query.limit });
        }}
      >
        Next page
      </button>
      <label>
        Rows per page{' '}
        <select
          name="page-size"
          value={query.limit}
          onChange={(e) => {
            set({ ...query, limit: Number(e.target.value), offset: 0 });
          }}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </nav>
  );
}

/** Search (applied a moment after typing stops) and the status filter. */
function Toolbar(props: { query: ClusterQuery; set: (q: ClusterQuery) => void }) {
  const { query, set: setQuery } = props;
  const [text, setText] = useState(query.q);
  useEffect(() => {
    const t = setTimeout(() => {
      if (text !== query.q) setQuery({ ...query, q: text, offset: 0 });
    }, 250);
    return () => {
      clearTimeout(t);
    };
  }, [text, query, setQuery]);
  return (
    <div className="toolbar">
      <label>
        Search name or owner
        <input
          type="search"
          name="cluster-search"
          value={text}
          onChange={(e) => {
            setText(e.target.value);
          }}
        />
      </label>
      <label>
        Status
        <select
          name="cluster-status"
          value={query.status.join(',')}
          onChange={(e) => {
            const v = e.target.value;
            setQuery({ ...query, status: v === '' ? [] : v.split(','), offset: 0 });
          }}
        >
          {STATUS_FILTERS.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** The clusters section. */
export function AdminClusters({ api, go, calls }: AdminSectionProps) {
  const [query, setQuery] = useState<ClusterQuery>({
    q: '',
    status: [],
    sort: 'age',
    order: 'asc',
    limit: 25,
    offset: 0,
  });
  const page = useLive(
    api,
    () => calls.clusters(query),
    () => true,
    5000
  );
  const key = JSON.stringify(query);
  const { refresh } = page;
  useEffect(() => {
    if (key !== '') refresh();
  }, [key, refresh]);
  const { act, notice } = useAction(refresh);
  const rows: readonly AdminCluster[] = page.value?.rows ?? [];
  return (
    <>
      <h2>Clusters</h2>
      <Toolbar query={query} set={setQuery} />
      {notice}
      <Problem text={page.error} />
      {page.value === null ? (
        <p>Loading…</p>
      ) : page.value.total === 0 ? (
        <p data-testid="no-clusters">
          {query.q === '' && query.status.length === 0
            ? 'No clusters yet, active or recent.'
            : 'No cluster matches this search.'}
        </p>
      ) : (
        <>
          <Pager query={query} total={page.value.total} set={setQuery} />
          <p className="muted">Workers: running / starting / target.</p>
          <div className="table-box" tabIndex={0} role="region" aria-label="Clusters">
            <table data-testid="admin-clusters" className="stack">
              <thead>
                <tr>
                  {COLUMNS.map(([label, k, num]) =>
                    k === null ? (
                      <th key={label} scope="col" className={num ? 'num' : undefined}>
                        {label}
                      </th>
                    ) : (
                      <SortHeader
                        key={label}
                        label={label}
                        k={k}
                        query={query}
                        set={setQuery}
                        num={num}
                      />
                    )
                  )}
                </tr>
              </thead>
              <tbody>
                {rows.map((c) => (
                  <ClusterRow key={c.name} c={c} api={api} go={go} act={act} />
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
