/**
 * Records events: stamps each with its time at once and hands it to the store in the
 * background, in order; the store assigns the ids. Events are published on the bus from the
 * store, in id order: at once after this process's own writes on SQLite (one process), and on
 * PostgreSQL by reading what every replica appended after the last id published, after each
 * write and every `pollMs`. Readers wait for pending writes before querying, so a replay
 * followed by live events neither loses nor repeats one.
 * @module
 */
import type { Logger } from 'pino';
import type { ClusterEvent, EventType } from '@gatehouse/api';
import type { Clock } from '../clock.js';
import type { EventBus } from './event-bus.js';
import type { EventFilter, EventStore, UnstoredEvent } from './event-store.js';

/** What a caller says about a new event; id and time are filled in. */
export interface NewEvent {
  readonly type: EventType;
  readonly cluster: string | null;
  readonly worker?: string | null;
  readonly username: string;
  readonly actor: string;
  readonly message: string;
  readonly data?: Record<string, unknown>;
}

/** Where the manager and the routes record events. */
export interface EventSink {
  record(e: NewEvent): void;
}

/** The recorder: an event sink that can also be read. */
export interface EventRecorder extends EventSink {
  /** Reads the last id (events after it are published) and starts polling; call once. */
  start(): Promise<void>;
  /** Resolves when every event recorded so far is stored and published. */
  flushed(): Promise<void>;
  /** Stored events (after pending writes), see `EventStore.list`. */
  list(filter: EventFilter, afterId: number | null, limit: number): Promise<ClusterEvent[]>;
  /** Stops polling (pending writes go on; await `flushed`). */
  close(): void;
  readonly bus: EventBus;
}

/** A sink that drops everything (components built without events). */
export const noEvents: EventSink = { record: () => undefined };

/** How many stored events one catch-up read takes at most. */
const CATCH_UP_PAGE = 500;

/** Publishes stored events on the bus once each, in id order. */
function createPublisher(store: EventStore, bus: EventBus, log: Logger) {
  let last = 0;
  let readFailing = false;
  const publish = (events: readonly ClusterEvent[]) => {
    for (const e of events) {
      if (e.id <= last) continue;
      last = e.id;
      bus.publish(e);
    }
  };
  const all = { cluster: null, username: null };
  return {
    /** Publishes only events after `id`. */
    from(id: number) {
      last = id;
    },
    publish,
    /** Publishes every stored event after the last published one (a failed read is retried). */
    async catchUp() {
      try {
        for (;;) {
          const page = await store.list(all, last, CATCH_UP_PAGE);
          publish(page);
          if (page.length < CATCH_UP_PAGE) break;
        }
        if (readFailing) log.info('reading new events works again');
        readFailing = false;
      } catch (err) {
        if (!readFailing) log.warn({ err }, 'reading new events failed; retrying');
        readFailing = true;
      }
    },
  };
}

/**
 * Creates a recorder over `store`, publishing on `bus`. With `pollMs` (several replicas share
 * the store) it publishes what any replica stored; without it, only its own events.
 */
export function createEventRecorder(deps: {
  store: EventStore;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  pollMs?: number | null;
}): EventRecorder {
  const { store, bus, clock, log } = deps;
  const pollMs = deps.pollMs ?? null;
  const out = createPublisher(store, bus, log);
  let pending: UnstoredEvent[] = [];
  let work: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;

  const writeBatch = async () => {
    const batch = pending;
    pending = [];
    try {
      const stored = await store.append(batch);
      if (pollMs === null) out.publish(stored);
    } catch (err) {
      log.error({ err, count: batch.length }, 'event write failed');
    }
    if (pollMs !== null) await out.catchUp();
  };

  return {
    bus,
    async start() {
      out.from(await store.lastId());
      if (pollMs === null) return;
      let polling = false;
      timer = setInterval(() => {
        if (polling) return;
        polling = true;
        work = work
          .then(() => out.catchUp())
          .finally(() => {
            polling = false;
          });
      }, pollMs);
      timer.unref();
    },
    record(n) {
      pending.push({
        time: clock.now(),
        type: n.type,
        cluster: n.cluster,
        worker: n.worker ?? null,
        username: n.username,
        actor: n.actor,
        message: n.message,
        data: n.data ?? {},
      });
      if (pending.length === 1) work = work.then(writeBatch);
    },
    flushed: () => work,
    async list(filter, afterId, limit) {
      await work;
      return store.list(filter, afterId, limit);
    },
    close() {
      clearInterval(timer);
    },
  };
}
