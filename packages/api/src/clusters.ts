/**
 * The cluster resources of the dask-gateway wire contract (spec §1, §3.2).
 *
 * ClusterJSON must have exactly the keys the Python client accepts: any extra key makes the
 * client's `ClusterReport(**kwargs)` raise, so the schema forbids additional properties and the
 * server serialises through it.
 * @module
 */
import { Type, type Static } from 'typebox';

/** Public cluster status names, as they travel on the wire. */
export const CLUSTER_STATUSES = ['PENDING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED'] as const;

/** One public cluster status. */
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

/** A cluster as the dask-gateway client sees it. */
export const ClusterJson = Type.Object(
  {
    name: Type.String(),
    dashboard_route: Type.Union([Type.String(), Type.Null()]),
    status: Type.Union([
      Type.Literal('PENDING'),
      Type.Literal('RUNNING'),
      Type.Literal('STOPPING'),
      Type.Literal('STOPPED'),
      Type.Literal('FAILED'),
    ]),
    start_time: Type.Integer({ description: 'Milliseconds since the Unix epoch' }),
    stop_time: Type.Union([Type.Integer(), Type.Null()]),
    options: Type.Record(Type.String(), Type.Unknown()),
    tls_cert: Type.Union([Type.String(), Type.Null()]),
    tls_key: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false }
);

/** A cluster as the dask-gateway client sees it. */
export type ClusterJson = Static<typeof ClusterJson>;

/** `GET /api/v1/clusters/`: cluster name to ClusterJSON. */
export const ClusterMap = Type.Record(Type.String(), ClusterJson);

/** `POST /api/v1/clusters/` answer. */
export const CreatedCluster = Type.Object({ name: Type.String() }, { additionalProperties: false });

/** Answer of scale and adapt: `ok` false with a message when a limit clamped the request. */
export const ScaleResult = Type.Object(
  { ok: Type.Boolean(), msg: Type.Union([Type.String(), Type.Null()]) },
  { additionalProperties: false }
);

/** Answer of scale and adapt. */
export type ScaleResult = Static<typeof ScaleResult>;

/** The heartbeat a scheduler's preload sends (spec §1.12). */
export const Heartbeat = Type.Object({
  scheduler_address: Type.String(),
  dashboard_address: Type.String(),
  api_address: Type.String(),
  count: Type.Integer({ minimum: 0 }),
  active_workers: Type.Array(Type.String()),
  closing_workers: Type.Array(Type.String()),
  closed_workers: Type.Array(Type.String()),
});

/** The heartbeat a scheduler's preload sends. */
export type Heartbeat = Static<typeof Heartbeat>;
