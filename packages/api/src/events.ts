/**
 * Cluster events: Gatehouse's own record of what happened to a cluster and its workers
 * (issue 5). Events travel on Gatehouse-only routes, never inside the client's ClusterJSON:
 *
 * - `GET /api/v1/clusters/{name}/events` answers `{ events: ClusterEvent[] }` (oldest first),
 *   or, with `Accept: text/event-stream`, replays them and then streams new ones as
 *   server-sent events;
 * - `GET /api/v1/events` does the same for every cluster of the caller (of everyone, for
 *   admins), including refusals that named no cluster.
 *
 * Each SSE message is `id: <event id>`, `event: <event type>`, `data: <ClusterEvent JSON>`.
 * A reconnecting stream resumes after the `Last-Event-ID` header (or the `since` query
 * parameter); comment lines (`: keep-alive`) arrive at least every 15 s.
 * The event types and their order are documented in `docs/events.md`.
 * @module
 */
import { Type, type Static } from 'typebox';

/** Every event type Gatehouse records. */
export const EVENT_TYPES = [
  /** A cluster record was created from accepted options (actor: the user). */
  'cluster.created',
  /** The backend was asked to start the scheduler. */
  'cluster.starting',
  /** The scheduler waits in a resource manager's queue; `data.reason` says why (Slurm). */
  'cluster.queued',
  /** The scheduler's first heartbeat arrived and its routes are installed. */
  'cluster.running',
  /** A stop was requested; `data.reason` is the stop reason. */
  'cluster.stopping',
  /** The cluster stopped; `data.reason` is the stop reason. */
  'cluster.stopped',
  /** The cluster failed; `data.reason` the cause, `data.log_tail` the scheduler's last lines. */
  'cluster.failed',
  /** A worker was asked for. */
  'worker.starting',
  /** A worker waits in a resource manager's queue; `data.reason` says why. */
  'worker.queued',
  /** A worker connected to its scheduler. */
  'worker.running',
  /** A worker is being stopped; `data.reason` says why. */
  'worker.stopping',
  /** A worker ended; `data.reason` says why. */
  'worker.stopped',
  /** A worker failed; `data.reason` the cause, `data.log_tail` its last lines. */
  'worker.failed',
  /** A scale request; `data`: `{ requested, granted, ok, msg }`. */
  'cluster.scale',
  /** An adapt request; `data`: `{ minimum, maximum, active, ok, msg }`. */
  'cluster.adapt',
  /** A scale was granted in part (quota or pool); `data`: `{ requested, granted, reason, msg }`. */
  'scale.clamped',
  /**
   * Workers of a scale wait for machines in the pool's queue; `data`:
   * `{ requested, granted, waiting, msg }`.
   */
  'scale.queued',
  /** Waiting workers were granted; `data`: `{ granted, wanted, position }`. */
  'scale.granted',
  /** The owner used `warn_at` of their core-hour budget; `data`: `{ used_core_hours, left_core_hours }`. */
  'budget.warning',
  /** The owner's budget is used up; the cluster stops after the grace period (reason "budget"). */
  'budget.exhausted',
  /** A request was refused (quota, pool, options); `data`: `{ action, reason }`. */
  'request.refused',
  /**
   * A user other than the owner used the cluster through a share (actor: that user); `data`:
   * `{ action, level }`. The first use of each action per user per minute (the audit log has all).
   */
  'cluster.shared_use',
] as const;

/** One event type. */
export type EventType = (typeof EVENT_TYPES)[number];

/** Why a cluster stopped, as recorded in `data.reason` of stop events and on the admin API. */
export const STOP_REASONS = [
  'user',
  'admin',
  'idle',
  'no client',
  'lifetime',
  'failure',
  'budget',
] as const;

/** One stop reason. */
export type StopReason = (typeof STOP_REASONS)[number];

/** One recorded event. */
export const ClusterEvent = Type.Object(
  {
    id: Type.Integer({ description: 'Increasing event id, usable as Last-Event-ID' }),
    time: Type.Integer({ description: 'Milliseconds since the Unix epoch' }),
    type: Type.String({ description: 'One of EVENT_TYPES' }),
    cluster: Type.Union([Type.String(), Type.Null()], {
      description: 'The cluster, or null for a refusal that named none',
    }),
    worker: Type.Union([Type.String(), Type.Null()]),
    username: Type.String({ description: "The cluster's owner (or the refused user)" }),
    actor: Type.String({ description: "Who caused it: a username, 'gatehouse' or 'scheduler'" }),
    message: Type.String({ description: 'One human-readable line' }),
    data: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false }
);

/** One recorded event. */
export type ClusterEvent = Static<typeof ClusterEvent>;

/** Answer of the JSON form of the event routes. */
export const EventList = Type.Object(
  { events: Type.Array(ClusterEvent) },
  { additionalProperties: false }
);

/** Answer of the JSON form of the event routes. */
export type EventList = Static<typeof EventList>;
