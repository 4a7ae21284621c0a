/**
 * The event routes (`@gatehouse/api` events contract, `docs/events.md`):
 *
 * - `GET /api/v1/clusters/{name}/events`: one cluster's events (owner or admin);
 * - `GET /api/v1/events`: every event of the caller (all clusters' for admins).
 *
 * JSON `{events}` by default; with `Accept: text/event-stream` a server-sent event stream that
 * replays, then follows live events. `?since=<id>` or the `Last-Event-ID` header resume after
 * an id; `?limit=` caps the replay. A cluster's stream ends after its final event.
 * @module
 */
import { Type } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { EventList, type ClusterEvent } from '@gatehouse/api';
import { isFinal } from '../../clusters/model.js';
import { forbidden, invalid, notFound } from '../../errors.js';
import type { EventFilter } from '../../events/event-store.js';
import { runSseStream } from '../../events/sse.js';
import type { ApiApp } from '../api-app.js';
import type { ApiContext } from '../context.js';
import { mayUse } from './cluster-lookup.js';
import { clusterFor } from './cluster-names.js';

type EventsRequest = FastifyRequest<{
  Params: { cluster_name?: string };
  Querystring: Record<string, unknown>;
}>;

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;

/** A non-negative integer query value or header, or null when absent. */
function parseCount(value: unknown, what: string, max: number): number | null {
  if (value === undefined || value === '') return null;
  const v: unknown = Array.isArray(value) ? (value as unknown[]).at(-1) : value;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n > max) {
    throw invalid(`${what} must be an integer from 0 to ${String(max)}`);
  }
  return n;
}

/** Whether the client asked for a server-sent event stream. */
function wantsStream(req: FastifyRequest): boolean {
  return (req.headers.accept ?? '').toLowerCase().includes('text/event-stream');
}

const isFinalEvent = (e: ClusterEvent) =>
  e.type === 'cluster.stopped' || e.type === 'cluster.failed';

/** Registers the event routes. */
export function registerEventRoutes(app: ApiApp, ctx: ApiContext): void {
  const answer = async (
    req: EventsRequest,
    reply: FastifyReply,
    filter: EventFilter,
    finished: (() => boolean) | null
  ) => {
    const header = req.headers['last-event-id'];
    const since =
      parseCount(header, 'Last-Event-ID', Number.MAX_SAFE_INTEGER) ??
      parseCount(req.query['since'], 'since', Number.MAX_SAFE_INTEGER);
    const limit = parseCount(req.query['limit'], 'limit', MAX_LIMIT) ?? DEFAULT_LIMIT;
    if (limit === 0) throw invalid(`limit must be an integer from 1 to ${String(MAX_LIMIT)}`);
    if (!wantsStream(req)) return { events: await ctx.events.list(filter, since, limit) };
    const headers: Record<string, string> = {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    };
    for (const [k, v] of Object.entries(reply.getHeaders())) {
      if (typeof v === 'string') headers[k] = v;
    }
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, headers);
    await runSseStream(
      {
        write: (chunk) => res.write(chunk),
        end: () => {
          res.end();
        },
        onClose: (fn) => {
          res.once('close', fn);
        },
      },
      {
        recorder: ctx.events,
        filter,
        since,
        replayLimit: limit,
        keepAliveMs: ctx.sseKeepAliveMs,
        ...(finished === null ? {} : { endsWith: isFinalEvent, finishedAfterReplay: finished }),
      }
    );
    return reply;
  };

  app.get(
    '/api/v1/clusters/:cluster_name/events',
    {
      schema: {
        params: Type.Object({ cluster_name: Type.String() }),
        response: { 200: EventList },
      },
    },
    async (req: EventsRequest, reply) => {
      const user = await ctx.userAuth.require(req);
      const name = req.params.cluster_name ?? '';
      const c = clusterFor(ctx, user.name, name);
      if (c === undefined) throw notFound(`Cluster ${name} not found`);
      if (!user.admin && !mayUse(ctx, user, c, 'use', 'events')) {
        throw forbidden(`User ${user.name} lacks permissions to view cluster ${c.name}`);
      }
      return answer(req, reply, { cluster: c.name, username: null }, () => isFinal(c.status));
    }
  );

  app.get(
    '/api/v1/events',
    { schema: { response: { 200: EventList } } },
    async (req: EventsRequest, reply) => {
      const user = await ctx.userAuth.require(req);
      const filter = { cluster: null, username: user.admin ? null : user.name };
      return answer(req, reply, filter, null);
    }
  );
}
