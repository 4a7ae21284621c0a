/**
 * The cluster lists' query (issue 16): filter by status (default: every cluster still on
 * record, so finished ones stay visible for the history period with their stop reason) and by
 * a substring of name or owner, sort by a column, and cut a page. Both
 * `GET /api/v1/me/clusters` and `GET /api/v1/admin/clusters` answer through it, with the
 * number of matches before the page in `X-Total-Count`.
 * @module
 */
import {
  CLUSTER_LIST_MAX_LIMIT,
  CLUSTER_SORT_KEYS,
  type AdminCluster,
  type ClusterSortKey,
} from '@gatehouse/api';
import { invalid } from '../errors.js';
import { parseStatuses } from './routes/query.js';

/** A parsed list query. */
export interface ClusterListQuery {
  readonly statuses: ReadonlySet<string> | null;
  readonly q: string | null;
  readonly sort: ClusterSortKey;
  readonly desc: boolean;
  readonly limit: number;
  readonly offset: number;
}

/** Sort columns whose default order is descending (the biggest first). */
const NUMERIC_SORTS: ReadonlySet<string> = new Set(['workers', 'cores', 'core_hours']);

/** The default page size. */
const DEFAULT_LIMIT = 100;

/** A non-negative integer query value, or `fallback` when absent. */
function intParam(v: unknown, name: string, fallback: number, max: number): number {
  if (v === undefined || v === '') return fallback;
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n > max)
    throw invalid(`${name} must be an integer from 0 to ${String(max)}, got ${JSON.stringify(v)}`);
  return n;
}

/** Parses the list query; a bad value is a 422 naming the parameter. */
export function parseClusterListQuery(query: Readonly<Record<string, unknown>>): ClusterListQuery {
  const sort = query['sort'] ?? 'age';
  if (typeof sort !== 'string' || !(CLUSTER_SORT_KEYS as readonly string[]).includes(sort))
    throw invalid(
      `sort must be one of ${CLUSTER_SORT_KEYS.join(', ')}, got ${JSON.stringify(sort)}`
    );
  // Default: the newest, the first by name, owner or status, the biggest by numbers.
  const order = query['order'] ?? (NUMERIC_SORTS.has(sort) ? 'desc' : 'asc');
  if (order !== 'asc' && order !== 'desc')
    throw invalid(`order must be asc or desc, got ${JSON.stringify(order)}`);
  const q = query['q'];
  return {
    statuses: parseStatuses(query['status']),
    q: typeof q === 'string' && q !== '' ? q.toLowerCase() : null,
    sort: sort as ClusterSortKey,
    desc: order === 'desc',
    limit: intParam(query['limit'], 'limit', DEFAULT_LIMIT, CLUSTER_LIST_MAX_LIMIT),
    offset: intParam(query['offset'], 'offset', 0, Number.MAX_SAFE_INTEGER),
  };
}

/** The value a row sorts by, per sort key. */
const SORT_VALUE: Readonly<Record<ClusterSortKey, (v: AdminCluster) => string | number>> = {
  name: (v) => v.name,
  owner: (v) => v.username,
  status: (v) => v.status,
  age: (v) => -v.start_time, // the youngest (latest started) first in ascending order
  workers: (v) => v.workers_running,
  cores: (v) => v.cores,
  core_hours: (v) => v.core_hours,
};

/** Whether cluster view `v` passes the status and text filters of `query`. */
export function matchesClusterQuery(v: AdminCluster, query: ClusterListQuery): boolean {
  if (query.statuses !== null && !query.statuses.has(v.status)) return false;
  if (query.q === null) return true;
  return v.name.toLowerCase().includes(query.q) || v.username.toLowerCase().includes(query.q);
}

/** The page of `views` that `query` asks for, and how many matched before paging. */
export function pageClusters(
  views: readonly AdminCluster[],
  query: ClusterListQuery
): { page: AdminCluster[]; total: number } {
  const dir = query.desc ? -1 : 1;
  const matched = views
    .filter((v) => matchesClusterQuery(v, query))
    .sort((a, b) => {
      const ka = SORT_VALUE[query.sort](a);
      const kb = SORT_VALUE[query.sort](b);
      const c = ka < kb ? -1 : ka > kb ? 1 : a.name.localeCompare(b.name);
      return c * dir;
    });
  return { page: matched.slice(query.offset, query.offset + query.limit), total: matched.length };
}
