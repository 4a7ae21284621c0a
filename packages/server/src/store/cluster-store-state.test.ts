/**
 * Tests for loading stored backend states: the store carries each blob unread (the backend
 * that wrote it decodes it; see backends/*-state.test.ts), so records written by the previous
 * release come back field for field, and a stored `null` is the empty blob.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseState } from './cluster-store.js';

describe('parseState', () => {
  it('carries an old record unread', () => {
    const old = '{"workdir":"/d/clusters/c1","process":{"pid":12,"startTicks":34}}';
    assert.deepEqual(parseState(old), {
      workdir: '/d/clusters/c1',
      process: { pid: 12, startTicks: 34 },
    });
    assert.deepEqual(parseState('{"jobId":"77"}'), { jobId: '77' });
    assert.deepEqual(parseState('null'), {});
  });
  it('keeps a versioned blob as written, with fields it does not know', () => {
    const state = { v: 1, pod: { name: 'p', uid: 'u-1' } };
    assert.deepEqual(parseState(JSON.stringify(state)), state);
  });
});
