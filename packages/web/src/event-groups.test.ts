/// <reference types="node" />
// Unit tests of the events in plain words: one line per kind of a burst of worker events,
// with how long starting took; other events keep their message.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ClusterEvent } from '@gatehouse/api';
import { endedWorkers, groupEvents } from './event-groups.js';

let id = 0;
function ev(type: string, time: number, worker: string | null = null, data = {}): ClusterEvent {
  id += 1;
  return {
    id,
    time,
    type,
    cluster: 'c',
    worker,
    username: 'alice',
    actor: 'gatehouse',
    message: `${type} ${worker ?? ''}`.trim(),
    data,
  };
}

it('says "3 workers started in 4 s" for one scale, not 7 lines', () => {
  const events = [
    ev('cluster.scale', 0),
    ...['a', 'b', 'c'].map((w) => ev('worker.starting', 1000, w)),
    ev('worker.running', 3000, 'a'),
    ev('worker.running', 4000, 'b'),
    ev('worker.running', 5000, 'c'),
    ev('cluster.scale', 9000),
    ev('worker.stopped', 9500, 'c', { reason: 'scaled down' }),
  ];
  assert.deepEqual(
    groupEvents(events).map((g) => g.text),
    [
      'cluster.scale',
      '3 workers requested',
      '3 workers started in 4 s',
      'cluster.scale',
      '1 worker stopped: scaled down',
    ]
  );
  assert.deepEqual([...endedWorkers(events)], [['c', 'stopped']]);
});
