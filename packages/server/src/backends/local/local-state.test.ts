/**
 * Tests for the local and Slurm state codecs: records the previous release wrote (no `v`)
 * decode, version 1 round-trips, malformed fields are dropped, and an unknown version is not
 * misread.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BackendState } from '../../clusters/model.js';
import { decodeSlurmState, encodeSlurmState } from '../slurm/slurm-state.js';
import { decodeLocalState, encodeLocalState } from './local-state.js';

/** A blob as the store hands it back from a JSON text. */
const stored = (json: string) => JSON.parse(json) as BackendState;

describe('local state', () => {
  it('decodes a pre-v2 record (no version) of a scheduler and of a worker', () => {
    const scheduler = stored(
      '{"workdir":"/d/clusters/c1","process":{"pid":12,"startTicks":34},' +
        '"identity":{"slot":3,"uid":900003,"gid":900003,"address":"127.201.0.4"}}'
    );
    assert.deepEqual(decodeLocalState(scheduler), {
      workdir: '/d/clusters/c1',
      process: { pid: 12, startTicks: 34 },
      identity: { slot: 3, uid: 900003, gid: 900003, address: '127.201.0.4' },
    });
    assert.deepEqual(decodeLocalState(stored('{"process":{"pid":5,"startTicks":6}}')), {
      process: { pid: 5, startTicks: 6 },
    });
    assert.deepEqual(decodeLocalState(stored('{}')), {});
  });
  it('writes version 1 and reads it back', () => {
    const s = { workdir: '/w', process: { pid: 5, startTicks: 6 } };
    const blob = encodeLocalState(s);
    assert.equal((JSON.parse(JSON.stringify(blob)) as { v: number }).v, 1);
    assert.deepEqual(decodeLocalState(stored(JSON.stringify(blob))), s);
  });
  it('drops a malformed identity rather than failing the record; ignores other versions', () => {
    const bad = stored('{"workdir":"/w","identity":{"slot":"3","uid":1,"gid":1,"address":"x"}}');
    assert.deepEqual(decodeLocalState(bad), { workdir: '/w' });
    assert.deepEqual(decodeLocalState(stored('{"v":2,"workdir":"/w"}')), {});
  });
});

describe('Slurm state', () => {
  it('decodes a pre-v2 job record and a local scheduler record', () => {
    assert.deepEqual(decodeSlurmState(stored('{"jobId":"77"}')), { jobId: '77' });
    assert.deepEqual(decodeSlurmState(stored('{"workdir":"/s/c1","jobId":"78"}')), {
      workdir: '/s/c1',
      jobId: '78',
    });
    assert.deepEqual(decodeSlurmState(stored('{"process":{"pid":9,"startTicks":1}}')), {
      process: { pid: 9, startTicks: 1 },
    });
  });
  it('writes version 1 and reads it back', () => {
    const blob = encodeSlurmState({ jobId: '79' });
    assert.deepEqual(JSON.parse(JSON.stringify(blob)), { v: 1, jobId: '79' });
    assert.deepEqual(decodeSlurmState(blob), { jobId: '79' });
  });
});
