/**
 * The shared-use log: every use audited, one event per sharer, cluster and action a minute.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NewEvent } from '../events/event-recorder.js';
import { SHARED_USE_EVENT_MS, createSharedUseLog } from './shared-use.js';

describe('shared-use log', () => {
  it('audits every use and records the first of each kind per minute as an event', () => {
    const audits: string[] = [];
    const events: NewEvent[] = [];
    let now = 1_000;
    const log = createSharedUseLog({
      audit: (actor, action, target, outcome, detail) =>
        audits.push(`${actor} ${action} ${target} ${outcome} ${detail}`),
      record: (e) => events.push(e),
      now: () => now,
    });
    const c = { name: 'c1', username: 'alice' };
    log('bob', c, 'view', 'use');
    log('bob', c, 'view', 'use');
    log('bob', c, 'dashboard', 'use');
    log('carol', c, 'view', 'manage');
    now += SHARED_USE_EVENT_MS;
    log('bob', c, 'view', 'use');
    assert.equal(audits.length, 5);
    assert.equal(audits[0], 'bob use shared cluster c1 ok view (use)');
    assert.deepEqual(
      events.map((e) => [e.type, e.cluster, e.username, e.actor, e.data?.['action']]),
      [
        ['cluster.shared_use', 'c1', 'alice', 'bob', 'view'],
        ['cluster.shared_use', 'c1', 'alice', 'bob', 'dashboard'],
        ['cluster.shared_use', 'c1', 'alice', 'carol', 'view'],
        ['cluster.shared_use', 'c1', 'alice', 'bob', 'view'],
      ]
    );
  });
});
