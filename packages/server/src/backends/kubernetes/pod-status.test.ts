/**
 * Tests for reading a pod's status as an observation: unschedulable is queued with
 * kube-scheduler's reason, image and crash errors end it at once with the container's message,
 * eviction, OOM kill and deletion end it with why.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { podObservation } from './pod-status.js';

const T0 = '2026-12-07T10:00:00Z';
const pod = (status: object, meta: object = {}): V1Pod =>
  JSON.parse(
    JSON.stringify({ metadata: { name: 'p', creationTimestamp: T0, ...meta }, status })
  ) as V1Pod;

describe('podObservation', () => {
  it('unschedulable: queued, waiting for a machine, with the scheduler message', () => {
    const p = pod({
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'False',
          reason: 'Unschedulable',
          message: '0/1 nodes are available: 1 Insufficient cpu.',
        },
      ],
    });
    assert.deepEqual(podObservation(p, 0), {
      phase: 'queued',
      reason: 'waiting for a machine: Unschedulable: 0/1 nodes are available: 1 Insufficient cpu.',
      since: Date.parse(T0),
    });
  });

  for (const reason of [
    'ErrImageNeverPull',
    'ImagePullBackOff',
    'ErrImagePull',
    'CrashLoopBackOff',
  ]) {
    it(`${reason}: exited at once with the container's message`, () => {
      const p = pod({
        phase: 'Pending',
        conditions: [{ type: 'PodScheduled', status: 'True' }],
        containerStatuses: [
          { name: 'c', state: { waiting: { reason, message: 'image "x" not present' } } },
        ],
      });
      assert.deepEqual(podObservation(p, 0), {
        phase: 'exited',
        how: `${reason}: image "x" not present`,
      });
    });
  }

  it('ContainerCreating is queued (the start timeout counts from running)', () => {
    const p = pod({
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'True' }],
      containerStatuses: [{ name: 'c', state: { waiting: { reason: 'ContainerCreating' } } }],
    });
    assert.equal(podObservation(p, 0).phase, 'queued');
  });

  it('running since its start time', () => {
    const p = pod({ phase: 'Running', startTime: '2026-12-07T10:00:05Z' });
    assert.deepEqual(podObservation(p, 0), {
      phase: 'running',
      since: Date.parse('2026-12-07T10:00:05Z'),
    });
  });

  it('evicted, OOM-killed and deleted pods end with why', () => {
    assert.deepEqual(
      podObservation(pod({ phase: 'Failed', reason: 'Evicted', message: 'low on memory' }), 0),
      { phase: 'exited', how: 'Evicted: low on memory' }
    );
    const oom = pod({
      phase: 'Failed',
      containerStatuses: [
        { name: 'c', state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } },
      ],
    });
    assert.deepEqual(podObservation(oom, 0), { phase: 'exited', how: 'OOMKilled, exit code 137' });
    const deleting = pod({ phase: 'Running' }, { deletionTimestamp: T0 });
    assert.deepEqual(podObservation(deleting, 0), { phase: 'exited', how: 'pod deleted' });
    assert.deepEqual(podObservation(pod({ phase: 'Succeeded' }), 0), {
      phase: 'exited',
      how: 'exit code 0',
    });
  });
});
