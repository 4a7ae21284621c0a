/**
 * Tests for decoding stored backend states: records written before clusters had their own
 * identity still load, and the identity survives a round trip (restart adoption keeps it).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseState } from './cluster-store.js';

describe('parseState', () => {
  it('loads an old record without an identity', () => {
    const old = '{"workdir":"/d/clusters/c1","process":{"pid":12,"startTicks":34}}';
    assert.deepEqual(parseState(old), {
      workdir: '/d/clusters/c1',
      process: { pid: 12, startTicks: 34 },
    });
    assert.deepEqual(parseState('{"jobId":"77"}'), { jobId: '77' });
    assert.deepEqual(parseState('null'), {});
  });
  it('keeps uid, gid, slot and address through encoding and decoding', () => {
    const state = {
      workdir: '/w',
      process: { pid: 5, startTicks: 6 },
      identity: { slot: 3, uid: 900003, gid: 900003, address: '127.201.0.4' },
    };
    assert.deepEqual(parseState(JSON.stringify(state)), state);
  });
  it('drops a malformed identity rather than failing the record', () => {
    const bad = { workdir: '/w', identity: { slot: '3', uid: 1, gid: 1, address: 'x' } };
    assert.deepEqual(parseState(JSON.stringify(bad)), { workdir: '/w' });
  });
});
