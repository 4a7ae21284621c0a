/**
 * The cleanup sweep with a fake clock: a finished cluster stays listable for
 * `cluster_max_age`, its logs are removed after `logs.retention`, and deleting its record
 * hands its name to the gateway (which deletes its events). The backend is a fake that only
 * records log removals; store and events are real (in-memory SQLite).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { Backend } from '../backends/backend.js';
import { resolveClusterConfig } from '../cluster-options/cluster-config.js';
import type { ResolvedTiming } from '../config/load.js';
import { createEventBus } from '../events/event-bus.js';
import { createEventRecorder } from '../events/event-recorder.js';
import { createEventStore } from '../events/event-store.js';
import { createClusterStore } from '../store/cluster-store.js';
import { openDatabase } from '../store/db.js';
import { createSecretBox } from '../store/secret-box.js';
import { createClusterManager } from './manager.js';
import { Job, type ClusterRecord } from './model.js';
import { TEST_TIMING } from './testing/reconciler-harness.js';

const timing: ResolvedTiming = { ...TEST_TIMING, clusterMaxAge: 100 };

/** A finished cluster record. */
function record(name: string, stopTime: number): ClusterRecord {
  return {
    name,
    username: 'alice',
    options: {},
    config: resolveClusterConfig({}, {}).config,
    status: Job.STOPPED,
    target: Job.STOPPED,
    count: 0,
    state: {},
    token: 't',
    tlsCert: '',
    tlsKey: '',
    schedulerAddress: '',
    dashboardAddress: '',
    apiAddress: '',
    startTime: 0,
    stopTime,
    stopReason: 'user',
    failures: 0,
    lastHeartbeat: 0,
    workers: new Map(),
  };
}

describe('cleanup sweep', () => {
  it('removes logs after their retention and records (with events) after cluster_max_age', async () => {
    let now = 10_000;
    const clock = { now: () => now };
    const db = await openDatabase(':memory:');
    const store = createClusterStore(db, createSecretBox([Buffer.alloc(32, 1)]));
    const eventStore = createEventStore(db);
    const events = createEventRecorder({
      store: eventStore,
      bus: createEventBus(),
      clock,
      log: pino({ level: 'silent' }),
    });
    await events.start();
    await store.insertCluster(record('old', 10_000));
    const removedLogs: string[] = [];
    const fakeBackend: Backend = {
      kind: 'fake',
      startCluster: () => Promise.reject(new Error('not used')),
      stopCluster: () => Promise.resolve(),
      startWorker: () => Promise.reject(new Error('not used')),
      stopWorker: () => Promise.resolve(),
      observe: () => ({ phase: 'absent' }),
      listOwned: () => Promise.resolve([]),
      claims: () => false,
      deleteOwned: () => Promise.resolve(true),
      logs: {
        tail: () => '',
        full: () => Promise.resolve(''),
        remove: (name) => {
          removedLogs.push(name);
        },
      },
    };
    const deleted: string[][] = [];
    const manager = createClusterManager({
      store,
      backend: fakeBackend,
      routes: { add: () => undefined, remove: () => undefined },
      clock,
      log: pino({ level: 'silent' }),
      timing,
      stopClustersOnShutdown: false,
      prefix: '',
      apiUrl: () => '',
      createTls: () => Promise.resolve({ cert: '', key: '' }),
      events,
      logs: { rotatePeriod: 0, retention: 30 },
      onCleanup: async (names, before) => {
        deleted.push([...names]);
        await eventStore.deleteForClusters(names);
        await eventStore.deleteUnboundBefore(before);
      },
    });
    await manager.start();
    events.record({
      type: 'cluster.stopped',
      cluster: 'old',
      username: 'alice',
      actor: 'gatehouse',
      message: '',
    });
    assert.deepEqual(
      manager.list('alice', new Set(['STOPPED'])).map((c) => c.name),
      ['old']
    );

    now += 20_000; // within both retentions
    await manager.cleanup();
    assert.deepEqual(removedLogs, []);

    now += 20_000; // logs expired (30 s), record kept (100 s)
    await manager.cleanup();
    assert.deepEqual(removedLogs, ['old']);
    assert.equal(manager.list('alice', new Set(['STOPPED'])).length, 1);
    await manager.cleanup();
    assert.deepEqual(removedLogs, ['old'], 'logs are removed once');

    now += 70_000; // record expired
    await manager.cleanup();
    assert.deepEqual(deleted.at(-1), ['old']);
    assert.equal(manager.get('old'), undefined);
    assert.equal((await store.loadAll()).length, 0);
    assert.deepEqual(await events.list({ cluster: 'old', username: null }, null, 10), []);
    await manager.shutdown();
    await db.destroy();
  });
});
