/**
 * What a cluster table shows: its filter (statuses, a substring of name or owner), its sort
 * and its page, kept in the address's query so a reload or a shared link shows the same rows;
 * and the same query applied to a list of clusters in the browser.
 * @module
 */
import { CLUSTER_SORT_KEYS, CLUSTER_STATUSES } from '@gatehouse/api';
import type { ClusterView } from './gateway-api.js';

/** The columns a cluster table sorts by (the names of the API's `?sort=`). */
export const SORT_KEYS = CLUSTER_SORT_KEYS;

/** One sort column. */
export type SortKey = (typeof SORT_KEYS)[number];

/** Every cluster status, in lifecycle order. */
export const STATUSES = CLUSTER_STATUSES;

/** A table's filter, sort and page. */
export interface ClusterQuery {
  /** Statuses shown; empty shows every status. */
  readonly status: readonly string[];
  /** Substring of the name or owner (case-insensitive); '' for all. */
  readonly q: string;
  readonly sort: SortKey;
  readonly order: 'asc' | 'desc';
  readonly offset: number;
  readonly limit: number;
}

/** The query of a table nobody has touched: every status, newest first, 50 rows a page. */
export const DEFAULT_QUERY: ClusterQuery = {
  status: [],
  q: '',
  sort: 'age',
  order: 'asc',
  offset: 0,
  limit: 50,
};

/** The query named by the address's parameters (anything unknown falls back to the default). */
export function queryFromParams(p: URLSearchParams): ClusterQuery {
  const sort = p.get('sort');
  const status = (p.get('status') ?? '')
    .split(',')
    .filter((s) => (STATUSES as readonly string[]).includes(s));
  const offset = Number(p.get('offset') ?? 0);
  return {
    ...DEFAULT_QUERY,
    status,
    q: p.get('q') ?? '',
    sort: (SORT_KEYS as readonly string[]).includes(sort ?? '')
      ? (sort as SortKey)
      : DEFAULT_QUERY.sort,
    order: p.get('order') === 'desc' ? 'desc' : 'asc',
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** The address parameters of `q` (only those that differ from the default). */
export function paramsFromQuery(q: ClusterQuery): URLSearchParams {
  const p = new URLSearchParams();
  if (q.status.length > 0) p.set('status', q.status.join(','));
  if (q.q !== '') p.set('q', q.q);
  if (q.sort !== DEFAULT_QUERY.sort) p.set('sort', q.sort);
  if (q.order !== DEFAULT_QUERY.order) p.set('order', q.order);
  if (q.offset > 0) p.set('offset', String(q.offset));
  return p;
}

function sortValue(c: ClusterView, key: SortKey): string | number {
  switch (key) {
    case 'name':
      return c.name;
    case 'owner':
      return c.username;
    case 'status':
      return STATUSES.indexOf(c.status as (typeof STATUSES)[number]);
    case 'age':
      return c.age_seconds;
    case 'workers':
      return c.workers_running;
    case 'cores':
      return c.cores;
    case 'core_hours':
      return c.core_hours;
  }
}

/** The page of `all` that `q` selects, and how many clusters match in total. */
export function applyQuery(
  all: readonly ClusterView[],
  q: ClusterQuery
): { rows: ClusterView[]; total: number } {
  const needle = q.q.toLowerCase();
  const matching = all.filter(
    (c) =>
      (q.status.length === 0 || q.status.includes(c.status)) &&
      (needle === '' ||
        c.name.toLowerCase().includes(needle) ||
        c.username.toLowerCase().includes(needle))
  );
  const sign = q.order === 'asc' ? 1 : -1;
  matching.sort((a, b) => {
    const x = sortValue(a, q.sort);
    const y = sortValue(b, q.sort);
    const cmp =
      typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * cmp || a.name.localeCompare(b.name);
  });
  return { rows: matching.slice(q.offset, q.offset + q.limit), total: matching.length };
}
