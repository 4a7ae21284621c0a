/**
 * Unit tests of the event store, bus, recorder and SSE stream over a real in-memory database.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { ClusterEvent, EventType } from '@gatehouse/api';
import { openDatabase } from '../store/db.js';
import { createEventBus } from './event-bus.js';
import { createEventRecorder, type EventRecorder } from './event-recorder.js';
import { createEventStore } from './event-store.js';
import { SSE_KEEP_ALIVE, formatSseEvent, runSseStream, type SseSink } from './sse.js';

const log = pino({ level: 'silent' });

async function recorder(clock = { now: () => 1000 }) {
  const db = await openDatabase(':memory:');
  const store = createEventStore(db);
  const r = createEventRecorder({ store, bus: createEventBus(), clock, log });
  await r.start();
  return { r, store, db };
}

const ev = (cluster: string | null, username: string, type: EventType = 'cluster.created') =>
  ({ type, cluster, username, actor: username, message: 'm' }) as const;

/** A fake SSE sink collecting what is written. */
function fakeSink() {
  const chunks: string[] = [];
  let onClose: () => void = () => undefined;
  let ended = false;
  const sink: SseSink = {
    write: (c) => chunks.push(c) > 0,
    end: () => {
      ended = true;
    },
    onClose: (fn) => {
      onClose = fn;
    },
  };
  const ids = () =>
    chunks.flatMap((c) => (c.startsWith('id: ') ? [Number(/^id: (\d+)/.exec(c)?.[1])] : []));
  return {
    sink,
    chunks,
    ids,
    close: () => {
      onClose();
    },
    isEnded: () => ended,
  };
}

describe('event store and recorder', () => {
  it('assigns increasing ids, stores every event and filters by cluster and user', async () => {
    const { r } = await recorder();
    r.record(ev('c1', 'alice'));
    r.record(ev('c2', 'bob'));
    r.record({ ...ev(null, 'alice', 'request.refused'), data: { action: 'create' } });
    const all = await r.list({ cluster: null, username: null }, null, 100);
    assert.equal(all[0]?.time, 1000);
    assert.deepEqual(
      all.map((e) => e.id),
      [1, 2, 3]
    );
    assert.deepEqual(all[2]?.data, { action: 'create' });
    const alice = await r.list({ cluster: null, username: 'alice' }, null, 100);
    assert.deepEqual(
      alice.map((e) => e.id),
      [1, 3]
    );
    const c2 = await r.list({ cluster: 'c2', username: null }, null, 100);
    assert.deepEqual(
      c2.map((e) => e.id),
      [2]
    );
  });

  it('lists after an id, or the newest when capped, oldest first', async () => {
    const { r } = await recorder();
    for (let i = 0; i < 5; i++) r.record(ev('c', 'u'));
    const f = { cluster: null, username: null };
    assert.deepEqual(
      (await r.list(f, 2, 2)).map((e) => e.id),
      [3, 4]
    );
    assert.deepEqual(
      (await r.list(f, null, 2)).map((e) => e.id),
      [4, 5]
    );
  });

  it('continues ids after a restart even when the newest events were deleted', async () => {
    const { r, store, db } = await recorder();
    r.record(ev('c', 'u'));
    r.record(ev('d', 'u'));
    await r.flushed();
    await store.deleteForClusters(['d']);
    const again = createEventRecorder({
      store,
      bus: createEventBus(),
      clock: { now: () => 0 },
      log,
    });
    await again.start();
    again.record(ev('c', 'u'));
    const [newest] = await again.list({ cluster: null, username: null }, null, 1);
    assert.equal(newest?.id, 3);
    await db.destroy();
  });

  it('deletes the events of removed clusters and old refusals only', async () => {
    let now = 1000;
    const { r, store } = await recorder({ now: () => now });
    r.record(ev('gone', 'u'));
    r.record(ev(null, 'u', 'request.refused'));
    now = 5000;
    r.record(ev(null, 'u', 'request.refused'));
    r.record(ev('kept', 'u'));
    await r.flushed();
    await store.deleteForClusters(['gone']);
    assert.equal(await store.deleteUnboundBefore(2000), 1);
    const left = await r.list({ cluster: null, username: null }, null, 100);
    assert.deepEqual(
      left.map((e) => e.id),
      [3, 4]
    );
  });
});

describe('event bus', () => {
  it('publishes to subscribers until they unsubscribe, and closes them all', () => {
    const bus = createEventBus();
    const seen: number[] = [];
    let closed = 0;
    const off = bus.subscribe({ onEvent: (e) => seen.push(e.id), onClose: () => closed++ });
    bus.subscribe({ onEvent: () => undefined, onClose: () => closed++ });
    const e = { id: 7 } as ClusterEvent;
    bus.publish(e);
    off();
    bus.publish({ ...e, id: 8 });
    assert.deepEqual(seen, [7]);
    bus.close();
    assert.equal(closed, 1);
    assert.equal(bus.size, 0);
    bus.subscribe({ onEvent: () => undefined, onClose: () => closed++ });
    assert.equal(closed, 2, 'a subscriber of a closed bus is closed at once');
  });
});

describe('SSE', () => {
  it('formats one event as id, event and a single data line', () => {
    const e: ClusterEvent = {
      id: 5,
      time: 1,
      type: 'cluster.failed',
      cluster: 'c',
      worker: null,
      username: 'u',
      actor: 'gatehouse',
      message: 'two\nlines',
      data: { log_tail: 'a\nb' },
    };
    const text = formatSseEvent(e);
    assert.match(text, /^id: 5\nevent: cluster\.failed\ndata: \{.*\}\n\n$/);
    assert.equal(text.split('\n').length, 5, 'newlines inside the event are escaped');
    assert.deepEqual(JSON.parse(text.split('\n')[2]?.slice(6) ?? ''), e);
  });

  const stream = (
    r: EventRecorder,
    s: SseSink,
    extra: Partial<Parameters<typeof runSseStream>[1]> = {}
  ) =>
    runSseStream(s, {
      recorder: r,
      filter: { cluster: null, username: 'alice' },
      since: null,
      replayLimit: 100,
      keepAliveMs: 20,
      ...extra,
    });

  it('replays, then follows live events once each, filtered, with keep-alive comments', async () => {
    const { r } = await recorder();
    r.record(ev('c', 'alice'));
    r.record(ev('x', 'bob'));
    const f = fakeSink();
    const done = stream(r, f.sink);
    r.record(ev('c', 'alice', 'cluster.starting')); // during the replay
    await r.flushed();
    await new Promise((res) => setImmediate(res));
    r.record(ev('c', 'alice', 'cluster.running'));
    r.record(ev('y', 'bob', 'cluster.running'));
    const deadline = Date.now() + 10_000;
    while (f.chunks.filter((c) => c === SSE_KEEP_ALIVE).length < 2 && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 5));
    }
    assert.equal(f.chunks[0], SSE_KEEP_ALIVE, 'a comment opens the stream');
    assert.deepEqual(f.ids(), [1, 3, 4]);
    assert.ok(f.chunks.filter((c) => c === SSE_KEEP_ALIVE).length >= 2);
    assert.equal(r.bus.size, 1);
    f.close();
    await done;
    assert.ok(f.isEnded());
    assert.equal(r.bus.size, 0, 'the client going away unsubscribes');
  });

  it('resumes after `since` and ends after the final event', async () => {
    const { r } = await recorder();
    r.record(ev('c', 'alice'));
    r.record(ev('c', 'alice', 'cluster.starting'));
    const f = fakeSink();
    const done = stream(r, f.sink, {
      since: 1,
      endsWith: (e) => e.type === 'cluster.stopped',
      finishedAfterReplay: () => false,
    });
    r.record(ev('c', 'alice', 'cluster.stopped'));
    r.record(ev('c', 'alice', 'cluster.created'));
    await done;
    assert.deepEqual(f.ids(), [2, 3]);
    assert.equal(r.bus.size, 0);
  });

  it('ends a finished stream after its replay, and every stream when the bus closes', async () => {
    const { r } = await recorder();
    r.record(ev('c', 'alice'));
    const f = fakeSink();
    await stream(r, f.sink, { finishedAfterReplay: () => true });
    assert.deepEqual(f.ids(), [1]);
    const g = fakeSink();
    const open = stream(r, g.sink);
    await r.flushed();
    r.bus.close();
    await open;
    assert.ok(g.isEnded());
  });
});
