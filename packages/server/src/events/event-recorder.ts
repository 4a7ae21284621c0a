/**
 * Records events: assigns increasing ids and times synchronously (so the order of events is
 * the order they were recorded in), publishes each on the bus at once, and writes them to the
 * store in the background, in order. Readers wait for pending writes before querying, so a
 * replay followed by live events neither loses nor repeats one.
 * @module
 */
import type { Logger } from 'pino';
import type { ClusterEvent, EventType } from '@gatehouse/api';
import type { Clock } from '../clock.js';
import type { EventBus } from './event-bus.js';
import type { EventFilter, EventStore } from './event-store.js';

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
  record(e: NewEvent): ClusterEvent;
}

/** The recorder: an event sink that can also be read. */
export interface EventRecorder extends EventSink {
  /** Loads the last assigned id; call once before recording. */
  start(): Promise<void>;
  /** Resolves when every event recorded so far is in the store. */
  flushed(): Promise<void>;
  /** Stored events (after pending writes), see `EventStore.list`. */
  list(filter: EventFilter, afterId: number | null, limit: number): Promise<ClusterEvent[]>;
  readonly bus: EventBus;
}

/** A sink that drops everything (components built without events). */
export const noEvents: EventSink = {
  record: (e) => ({
    id: 0,
    time: 0,
    worker: null,
    data: {},
    ...e,
  }),
};

/** Creates a recorder over `store`, publishing on `bus`. */
export function createEventRecorder(deps: {
  store: EventStore;
  bus: EventBus;
  clock: Clock;
  log: Logger;
}): EventRecorder {
  const { store, bus, clock, log } = deps;
  let nextId = 1;
  let pending: ClusterEvent[] = [];
  let writing: Promise<void> = Promise.resolve();

  const writeBatch = async () => {
    const batch = pending;
    pending = [];
    try {
      await store.insert(batch);
    } catch (err) {
      log.error({ err, count: batch.length }, 'event write failed');
    }
  };

  return {
    bus,
    async start() {
      nextId = (await store.lastId()) + 1;
    },
    record(n) {
      const e: ClusterEvent = {
        id: nextId++,
        time: clock.now(),
        type: n.type,
        cluster: n.cluster,
        worker: n.worker ?? null,
        username: n.username,
        actor: n.actor,
        message: n.message,
        data: n.data ?? {},
      };
      pending.push(e);
      if (pending.length === 1) writing = writing.then(writeBatch);
      bus.publish(e);
      return e;
    },
    flushed: () => writing,
    async list(filter, afterId, limit) {
      await writing;
      return store.list(filter, afterId, limit);
    },
  };
}
