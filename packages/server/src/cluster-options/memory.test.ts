/**
 * Tests for memory parsing and formatting (expected values checked against upstream's Python).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../errors.js';
import { formatBytes, parseMemory } from './memory.js';

const SUFFIX_HELP =
  'is not a valid memory specification. Must be an int or a string with suffix K, M, G, T';

describe('parseMemory', () => {
  const good: Array<[number | string, number]> = [
    ['2 G', 2147483648],
    ['1.5G', 1610612736],
    ['512M', 536870912],
    ['1K', 1024],
    ['0.1K', 102],
    [' 3 T', 3298534883328],
    ['1_0K', 10240],
    ['+1e1K', 10240],
    ['.5G', 536870912],
    ['5.G', 5368709120],
    [1024, 1024],
    [1536.9, 1536],
    [0, 0],
  ];
  for (const [value, bytes] of good) {
    it(`parses ${JSON.stringify(value)} as ${bytes}`, () => {
      assert.equal(parseMemory(value), bytes);
    });
  }

  const bad: unknown[] = ['2g', '2Gi', '1024', '', 'G', 'abcG', '1__0K', 'infG', 'nanK', '1e999G'];
  for (const value of bad) {
    it(`rejects ${JSON.stringify(value)} with the upstream message`, () => {
      assert.throws(
        () => parseMemory(value),
        (err: unknown) =>
          err instanceof GatewayError &&
          err.code === 'invalid' &&
          err.message === `${String(value)} ${SUFFIX_HELP}`
      );
    });
  }

  it('rejects other types, printing them Python-style', () => {
    assert.throws(() => parseMemory(true), { message: `True ${SUFFIX_HELP}` });
    assert.throws(() => parseMemory(null), { message: `None ${SUFFIX_HELP}` });
    assert.throws(() => parseMemory(Infinity), { message: `inf ${SUFFIX_HELP}` });
  });

  it('rejects negative sizes, naming the field', () => {
    assert.throws(() => parseMemory('-1G', 'worker_memory'), {
      message: 'worker_memory must not be negative, got -1073741824',
    });
    assert.ok(Object.is(parseMemory('-0.0001K'), 0));
  });
});

describe('formatBytes', () => {
  const cases: Array<[number, string]> = [
    [0, '0 B'],
    [1000, '1000 B'],
    [1024, '1024 B'],
    [1025, '1.00 KiB'],
    [2 ** 20, '1024.00 KiB'],
    [2 ** 30, '1024.00 MiB'],
    [2 ** 30 + 1, '1.00 GiB'],
    [3 * 2 ** 30, '3.00 GiB'],
    [1536 * 2 ** 20, '1.50 GiB'],
    [5 * 2 ** 40, '5.00 TiB'],
    [2 ** 50, '1024.00 TiB'],
    [2 ** 51, '2.00 PiB'],
  ];
  for (const [n, expected] of cases) {
    it(`formats ${n} as ${expected}`, () => {
      assert.equal(formatBytes(n), expected);
    });
  }
});
