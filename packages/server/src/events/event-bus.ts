/**
 * The in-process event bus of one gateway instance: recorded events are published to every
 * live subscriber (the SSE streams). Built by the composition root; nothing here is global.
 * @module
 */
import type { ClusterEvent } from '@gatehouse/api';

/** One live subscriber. */
export interface Subscriber {
  /** Called synchronously with each published event. */
  readonly onEvent: (e: ClusterEvent) => void;
  /** Called once when the bus closes (the gateway stops). */
  readonly onClose: () => void;
}

/** Publishes events to subscribers. */
export interface EventBus {
  publish(e: ClusterEvent): void;
  /** Adds a subscriber; returns the function that removes it. */
  subscribe(s: Subscriber): () => void;
  /** Number of live subscribers. */
  readonly size: number;
  /** Tells every subscriber the bus is closing and forgets them; later subscribers close at once. */
  close(): void;
}

/** Creates an empty bus. */
export function createEventBus(): EventBus {
  const subscribers = new Set<Subscriber>();
  let closed = false;
  return {
    publish(e) {
      for (const s of [...subscribers]) s.onEvent(e);
    },
    subscribe(s) {
      if (closed) {
        s.onClose();
        return () => undefined;
      }
      subscribers.add(s);
      return () => {
        subscribers.delete(s);
      };
    },
    get size() {
      return subscribers.size;
    },
    close() {
      closed = true;
      const all = [...subscribers];
      subscribers.clear();
      for (const s of all) s.onClose();
    },
  };
}
