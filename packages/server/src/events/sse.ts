/**
 * Server-sent events: the wire format of one event, and a stream that replays stored events
 * and then follows live ones, with keep-alive comments, until the client goes away, the bus
 * closes or (for a cluster's stream) the cluster's final event has been sent.
 * @module
 */
import type { ClusterEvent } from '@gatehouse/api';
import type { EventRecorder } from './event-recorder.js';
import { matches, type EventFilter } from './event-store.js';

/** One SSE message: `id`, `event` and a single `data` line of JSON. */
export function formatSseEvent(e: ClusterEvent): string {
  return `id: ${String(e.id)}\nevent: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
}

/** The comment line sent when nothing else was. */
export const SSE_KEEP_ALIVE = ': keep-alive\n\n';

/** Where a stream writes (an HTTP response, or a fake in tests). */
export interface SseSink {
  write(chunk: string): boolean;
  end(): void;
  /** Registers a callback for when the client goes away. */
  onClose(fn: () => void): void;
}

/** How one stream behaves. */
export interface SseStreamOptions {
  readonly recorder: EventRecorder;
  readonly filter: EventFilter;
  /** Replay events after this id (null: replay the newest `replayLimit`). */
  readonly since: number | null;
  readonly replayLimit: number;
  /** Milliseconds between keep-alive comments. */
  readonly keepAliveMs: number;
  /** Ends the stream after sending an event for which this is true. */
  readonly endsWith?: (e: ClusterEvent) => boolean;
  /** Whether the stream has nothing more to wait for once the replay is sent. */
  readonly finishedAfterReplay?: () => boolean;
}

/**
 * Runs one stream on `sink`; resolves when it has ended. The live subscription starts before
 * the replay is read, and events arriving meanwhile are sent after it, each exactly once.
 */
export function runSseStream(sink: SseSink, o: SseStreamOptions): Promise<void> {
  return new Promise<void>((resolve) => {
    let last = o.since ?? 0;
    let replaying = true;
    let ended = false;
    /** Read through a function: callbacks may set `ended` behind the compiler's back. */
    const isEnded = () => ended;
    const buffered: ClusterEvent[] = [];
    let timer: NodeJS.Timeout | undefined;
    let unsubscribe: () => void = () => undefined;

    const end = () => {
      if (ended) return;
      ended = true;
      clearInterval(timer);
      unsubscribe();
      sink.end();
      resolve();
    };
    const send = (e: ClusterEvent) => {
      if (ended || e.id <= last) return;
      last = e.id;
      sink.write(formatSseEvent(e));
      if (o.endsWith?.(e) === true) end();
    };

    sink.onClose(end);
    unsubscribe = o.recorder.bus.subscribe({
      onEvent: (e) => {
        if (!matches(o.filter, e)) return;
        if (replaying) buffered.push(e);
        else send(e);
      },
      onClose: end,
    });
    if (isEnded()) return;
    sink.write(SSE_KEEP_ALIVE);
    o.recorder
      .list(o.filter, o.since, o.replayLimit)
      .then((events) => {
        for (const e of events) send(e);
        replaying = false;
        for (const e of buffered.splice(0)) send(e);
        if (o.finishedAfterReplay?.() === true) end();
        if (isEnded()) return;
        timer = setInterval(() => {
          sink.write(SSE_KEEP_ALIVE);
        }, o.keepAliveMs);
        timer.unref();
      })
      .catch(() => {
        end();
      });
  });
}
