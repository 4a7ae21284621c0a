/**
 * Events recorded by two gateway replicas on one real PostgreSQL database (skipped without
 * GATEHOUSE_PG_URL): every event is stored once with its own id, ids never collide, and a
 * subscriber on one replica receives the events the other recorded, in id order and without
 * gaps, as a stream resumed with `Last-Event-ID` would read them.
 * @module
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import type { ClusterEvent } from '@gatehouse/api';
import { openStoreDatabase } from '../store/db.js';
import { createTestDatabase, pgSkip, type TestDatabase } from '../store/testing/pg-database.js';
import { createEventBus } from './event-bus.js';
import { createEventRecorder, type EventRecorder } from './event-recorder.js';
import { createEventStore } from './event-store.js';

const log = pino({ level: 'silent' });
const made: TestDatabase[] = [];
after(async () => {
  for (const d of made) await d.drop();
});

/** One replica's recorder on its own connection pool to the database at `url`. */
async function replica(url: string) {
  const db = await openStoreDatabase({ type: 'postgres', url, poolSize: 4 });
  const store = createEventStore(db);
  const r = createEventRecorder({
    store,
    bus: createEventBus(),
    clock: { now: () => Date.now() },
    log,
    pollMs: 20,
  });
  await r.start();
  return { r, store, db };
}

const ev = (cluster: string, n: number) =>
  ({
    type: 'cluster.created',
    cluster,
    username: 'u',
    actor: 'u',
    message: `m${String(n)}`,
  }) as const;

/** Resolves with the first `count` events `r`'s bus publishes. */
function collect(r: EventRecorder, count: number): Promise<ClusterEvent[]> {
  const got: ClusterEvent[] = [];
  return new Promise((resolve) => {
    const off = r.bus.subscribe({
      onEvent: (e) => {
        got.push(e);
        if (got.length === count) {
          off();
          resolve(got);
        }
      },
      onClose: () => undefined,
    });
  });
}

describe('events across replicas on PostgreSQL', { skip: pgSkip }, () => {
  it('stores every event of both replicas once, and each replica publishes them all in order', async () => {
    const d = await createTestDatabase();
    made.push(d);
    const a = await replica(d.url);
    const b = await replica(d.url);
    try {
      const perReplica = 40;
      const seenOnB = collect(b.r, 2 * perReplica);
      const seenOnA = collect(a.r, 2 * perReplica);
      for (let i = 0; i < perReplica; i++) {
        a.r.record(ev('ca', i));
        b.r.record(ev('cb', i));
        if (i % 7 === 0) await Promise.all([a.r.flushed(), b.r.flushed()]);
      }
      await Promise.all([a.r.flushed(), b.r.flushed()]);

      const stored = await a.store.list({ cluster: null, username: null }, 0, 1000);
      assert.equal(stored.length, 2 * perReplica, 'events were lost');
      const ids = stored.map((e) => e.id);
      assert.deepEqual(
        ids,
        [...new Set(ids)].sort((x, y) => x - y)
      );
      assert.deepEqual(
        stored.filter((e) => e.cluster === 'ca').map((e) => e.message),
        Array.from({ length: perReplica }, (_, i) => `m${String(i)}`),
        "a replica's events are stored in the order it recorded them"
      );

      for (const seen of [await seenOnB, await seenOnA]) {
        assert.deepEqual(
          seen.map((e) => e.id),
          ids,
          'a replica published every event, in id order'
        );
      }
    } finally {
      a.r.close();
      b.r.close();
      await a.db.destroy();
      await b.db.destroy();
    }
  });
});
