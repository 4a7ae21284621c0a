/**
 * Gatehouse's own view of a cluster (issue 16): the row of `GET /api/v1/me/clusters` and
 * `GET /api/v1/admin/clusters`, the page of `GET /api/v1/me/clusters/{name}` with its worker
 * series, and the list query both lists accept. It never travels inside the client's
 * ClusterJSON.
 *
 * The lists answer a bare JSON array (the SDK and CLI rely on it) and the number of matching
 * clusters before `limit`/`offset` in the `X-Total-Count` header.
 * @module
 */
import { Type, type Static } from 'typebox';
import { Nullable } from './admin.js';

/** A failed cluster's failure condition: reason, evidence (last output) and time (ms). */
export const ClusterFailureJson = Type.Object(
  {
    reason: Type.String(),
    evidence: Nullable(
      Type.String({ description: "The end of the scheduler's last output (at most 8 KiB)" })
    ),
    at: Type.Integer({ description: 'When the failure was observed, in ms since the epoch' }),
  },
  {
    additionalProperties: false,
    description: 'Why the cluster failed, observed apart from its status; null unless it failed',
  }
);

/** The fields of a cluster's view, shared by the list row and the one-cluster page. */
export const clusterViewFields = {
  name: Type.String(),
  cluster_name: Nullable(
    Type.String({
      description:
        'The name its user gave it (the cluster_name option), usable in their paths instead of the id; null without one',
    })
  ),
  username: Type.String(),
  status: Type.String(),
  workers: Type.Integer({ description: 'Same as workers_running (kept for older clients)' }),
  requested_workers: Type.Integer({
    description: 'Same as workers_target (kept for older clients)',
  }),
  workers_running: Type.Integer({
    description: 'Workers its scheduler has reported connected (heartbeat)',
  }),
  workers_starting: Type.Integer({
    description: 'Workers started or queued that have not connected yet',
  }),
  workers_target: Type.Integer({
    description: "The scale target (adaptive's current target when adaptive)",
  }),
  cores: Type.Number({ description: 'Cores its running processes hold now; 0 once finished' }),
  memory: Type.Integer({
    description: 'Bytes of memory its running processes hold now; 0 once finished',
  }),
  core_hours: Type.Number({ description: 'Core-hours consumed so far' }),
  memory_gib_hours: Type.Number({ description: 'GiB-hours of memory consumed so far' }),
  worker_cores: Type.Number(),
  worker_memory: Type.Integer(),
  profile: Nullable(Type.String({ description: 'The profile it was started with' })),
  environment: Nullable(Type.String({ description: 'The Python environment it runs' })),
  adaptive: Nullable(
    Type.Object(
      {
        minimum: Type.Integer(),
        maximum: Nullable(Type.Integer({ description: 'null: no upper bound' })),
      },
      { additionalProperties: false, description: 'Adaptive bounds; null when not adaptive' }
    )
  ),
  start_time: Type.Integer(),
  stop_time: Nullable(Type.Integer()),
  age_seconds: Type.Number(),
  lifetime_left_seconds: Nullable(
    Type.Number({
      description:
        'Seconds until the lifetime limit stops the cluster; null without a limit or once stopping',
    })
  ),
  stop_reason: Nullable(Type.String()),
  failure: Nullable(ClusterFailureJson),
  dashboard_route: Nullable(Type.String()),
  options: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'The options the cluster was created with; environment-variable values whose name looks ' +
      'secret (token, secret, password, key, credential, auth) are masked as "••••"',
  }),
};

/** One cluster on `GET /api/v1/me/clusters` and `GET /api/v1/admin/clusters`. */
export const AdminCluster = Type.Object(clusterViewFields, { additionalProperties: false });

/** One cluster, as its owner and admins see it in a list. */
export type AdminCluster = Static<typeof AdminCluster>;

/** One step of a cluster's worker series: from `at` (ms) on, the target and running count. */
export const WorkerPoint = Type.Object(
  { at: Type.Integer(), target: Type.Integer(), running: Type.Integer() },
  { additionalProperties: false }
);

/** One step of a cluster's worker series. */
export type WorkerPoint = Static<typeof WorkerPoint>;

/** `GET /api/v1/me/clusters/{name}`: the cluster's view and its worker series. */
export const ClusterDetail = Type.Object(
  {
    ...clusterViewFields,
    worker_series: Type.Array(WorkerPoint, {
      description: 'Target and running workers over its life, from its events (≤ 500 steps)',
    }),
    share_level: Type.Optional(
      Type.Union([Type.Literal('use'), Type.Literal('manage')], {
        description:
          "The caller's share of the cluster when it is someone else's (absent for its owner)",
      })
    ),
  },
  { additionalProperties: false }
);

/** One cluster with its worker series. */
export type ClusterDetail = Static<typeof ClusterDetail>;

/** The columns the cluster lists sort by. */
export const CLUSTER_SORT_KEYS = [
  'name',
  'owner',
  'status',
  'age',
  'workers',
  'cores',
  'core_hours',
] as const;

/** One sort column. */
export type ClusterSortKey = (typeof CLUSTER_SORT_KEYS)[number];

/** The largest `limit` of a cluster list page. */
export const CLUSTER_LIST_MAX_LIMIT = 500;

/** The query `GET /api/v1/me/clusters` and `GET /api/v1/admin/clusters` accept. */
export const ClusterListQuery = Type.Object({
  status: Type.Optional(
    Type.String({
      description:
        'Comma-separated statuses; default: active clusters and those finished within the history period',
    })
  ),
  q: Type.Optional(Type.String({ description: 'Substring of the name or owner' })),
  sort: Type.Optional(
    Type.String({ description: `One of ${CLUSTER_SORT_KEYS.join(', ')}; default age` })
  ),
  order: Type.Optional(
    Type.String({
      description:
        'asc or desc; default asc (age: the newest first) except desc for workers, cores and core_hours',
    })
  ),
  limit: Type.Optional(Type.String({ description: 'At most 500; default 100' })),
  offset: Type.Optional(Type.String({ description: 'Rows to skip; default 0' })),
  user: Type.Optional(Type.String({ description: 'Admin list only: one owner' })),
});

/** The cluster list query, as the SDK sends it. */
export interface ClusterListParams {
  readonly status?: readonly string[];
  readonly q?: string;
  readonly sort?: ClusterSortKey;
  readonly order?: 'asc' | 'desc';
  readonly limit?: number;
  readonly offset?: number;
  readonly user?: string;
}
