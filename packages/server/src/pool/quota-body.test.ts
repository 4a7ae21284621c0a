import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GatewayError } from '../errors.js';
import { parseQuotaBody } from './quota-body.js';

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
