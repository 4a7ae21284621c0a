import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { GatewayError } from '../errors.js';
import { parseQuotaBody, parseStoredQuota } from './quota-body.js';

test('quota bodies: memory strings and numbers, null for unlimited', () => {
  assert.deepEqual(parseQuotaBody({ max_clusters: 2, max_memory: '1 K' }), {
    maxClusters: 2,
    maxMemory: 1024,
  });
  assert.deepEqual(parseQuotaBody({ max_memory: null }), { maxMemory: null });
});

test('a negative max_memory is refused, however small (found by the API fuzzer)', () => {
  assert.throws(
    () => parseQuotaBody({ max_memory: -7.3e-294 }),
    (err: unknown) => err instanceof GatewayError && err.code === 'invalid'
  );
});

describe('parseStoredQuota', () => {
  it('reads the body as sent, and overrides stored with internal key names', () => {
    assert.deepEqual(parseStoredQuota('{"max_clusters":2,"max_memory":"1 G"}'), {
      maxClusters: 2,
      maxMemory: 2 ** 30,
    });
    assert.deepEqual(parseStoredQuota('{"maxClusters":2,"maxCores":null}'), {
      maxClusters: 2,
      maxCores: null,
    });
  });
});
