/**
 * Following a cluster's (or every cluster's) events over the server-sent event routes of
 * `@gatehouse/api`'s events contract, resuming after the last event id when the stream drops.
 * @module
 */
import { ClusterEvent } from '@gatehouse/api';
import Value from 'typebox/value';
import { GatehouseError, NotFoundError, ServerError } from './errors.js';
import { readSse } from './sse.js';
import type { Transport } from './transport.js';

/** The server has no events routes (an older Gatehouse, or another dask-gateway server). */
export class EventsUnavailable extends GatehouseError {
  /** @param detail - what the events route answered. */
  constructor(detail: string) {
    super(`This gateway has no event stream (${detail})`, 404, 'events_unavailable');
  }
}

/** Options of an event stream. */
export interface StreamOptions {
  /** Resume after this event id. Default: from the first recorded event. */
  readonly since?: number | undefined;
  /** Ends the stream (the iterator then returns, or rejects with the abort reason). */
  readonly signal?: AbortSignal | undefined;
}

/** The events route of `cluster`, or the caller's all-clusters route for `null`. */
export function eventsPath(cluster: string | null): string {
  return cluster === null
    ? '/api/v1/events'
    : `/api/v1/clusters/${encodeURIComponent(cluster)}/events`;
}

/** Waits `ms`, or less if `signal` aborts first. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Yields events of `cluster` (all of the caller's with `null`) as they are recorded: first the
 * recorded ones after `since`, then new ones, reconnecting after the last id when the
 * connection drops. A cluster's stream ends after the cluster's final event (stopped, failed). Throws {@link EventsUnavailable} when the server has no events routes
 * (a 404 on the route, or an answer that is not an event stream).
 */
export async function* streamEvents(
  transport: Transport,
  cluster: string | null,
  options: StreamOptions = {}
): AsyncGenerator<ClusterEvent> {
  const { signal } = options;
  let since = options.since;
  let quietReconnects = 0;
  const aborted = () => signal?.aborted === true;
  while (!aborted()) {
    let res: Response;
    try {
      res = await transport.send({
        method: 'GET',
        path: eventsPath(cluster),
        query: { since },
        accept: 'text/event-stream',
        signal,
      });
    } catch (err) {
      if (err instanceof NotFoundError && since === undefined && quietReconnects === 0) {
        throw new EventsUnavailable(err.message);
      }
      throw err;
    }
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith('text/event-stream') || res.body === null) {
      await res.body?.cancel();
      throw new EventsUnavailable(`the events route answered ${type || 'no content type'}`);
    }
    let received = 0;
    let sawFinal = false;
    try {
      for await (const message of readSse(res.body, signal)) {
        if (message.data === '') continue;
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(message.data);
        } catch {
          // Reported below as a malformed event.
        }
        if (!Value.Check(ClusterEvent, parsed)) {
          throw new ServerError(
            `Malformed event on ${eventsPath(cluster)}: ${message.data.slice(0, 200)}`,
            res.status,
            'bad_response'
          );
        }
        received++;
        since = parsed.id;
        sawFinal = parsed.type === 'cluster.stopped' || parsed.type === 'cluster.failed';
        yield parsed;
      }
    } catch (err) {
      // A dropped connection ends the read; any other failure is the caller's to see.
      if (aborted()) return;
      if (!(err instanceof TypeError)) throw err;
    }
    // A cluster's stream ends after its final event; a quiet end means there is nothing more.
    if (cluster !== null && (sawFinal || received === 0)) return;
    quietReconnects = received > 0 ? 0 : quietReconnects + 1;
    if (quietReconnects > 1) await pause(Math.min(5000, 250 * 2 ** quietReconnects), signal);
  }
}
