/**
 * Tests for `?wait` and `?status` parsing (spec §1.6, §1.8).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../../errors.js';
import { parseStatuses, parseWait } from './query.js';

describe('parseWait', () => {
  const cases: Array<[unknown, boolean]> = [
    [undefined, false],
    ['', true],
    ['1', true],
    ['0', false],
    ['true', false],
    ['false', false],
    ['yes', false],
    ['2', true],
    ['-1', true],
    ['+1', true],
    ['00', false],
    ['007', true],
    [' 1 ', true],
    ['1.5', false],
    ['1e3', false],
    ['0x1', false],
  ];
  for (const [value, want] of cases) {
    it(`?wait=${JSON.stringify(value)} is ${String(want)}`, () => {
      assert.equal(parseWait(value), want);
    });
  }

  it('uses the first of repeated values', () => {
    assert.equal(parseWait(['', '0']), true);
    assert.equal(parseWait(['0', '1']), false);
    assert.equal(parseWait(['1']), true);
  });

  it('treats non-string values as false', () => {
    assert.equal(parseWait(1), false);
    assert.equal(parseWait(true), false);
    assert.equal(parseWait(null), false);
    assert.equal(parseWait([]), false);
  });
});

/** Asserts `fn` throws the 422-mapped GatewayError with `message`. */
function assertInvalid(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GatewayError, `expected a GatewayError, got ${String(err)}`);
    assert.equal(err.code, 'invalid');
    assert.equal(err.message, message);
    return true;
  });
}

describe('parseStatuses', () => {
  it('returns null when absent', () => {
    assert.equal(parseStatuses(undefined), null);
  });

  it('parses one status', () => {
    assert.deepEqual(parseStatuses('RUNNING'), new Set(['RUNNING']));
  });

  it('parses a comma-separated list', () => {
    assert.deepEqual(parseStatuses('RUNNING,PENDING'), new Set(['RUNNING', 'PENDING']));
    assert.deepEqual(
      parseStatuses('PENDING,RUNNING,STOPPING,STOPPED,FAILED'),
      new Set(['PENDING', 'RUNNING', 'STOPPING', 'STOPPED', 'FAILED'])
    );
  });

  it('matches case-insensitively and returns upper-case names', () => {
    assert.deepEqual(
      parseStatuses('running,Pending,sToPpEd'),
      new Set(['RUNNING', 'PENDING', 'STOPPED'])
    );
  });

  it('trims spaces around tokens', () => {
    assert.deepEqual(parseStatuses(' running , failed '), new Set(['RUNNING', 'FAILED']));
  });

  it('collapses duplicates', () => {
    assert.deepEqual(parseStatuses('RUNNING,running'), new Set(['RUNNING']));
  });

  it('joins repeated parameters', () => {
    assert.deepEqual(
      parseStatuses(['running', 'stopped,failed']),
      new Set(['RUNNING', 'STOPPED', 'FAILED'])
    );
  });

  it("rejects an unknown name with 422 'FOO' is not a valid ClusterStatus", () => {
    assertInvalid(() => parseStatuses('FOO'), "'FOO' is not a valid ClusterStatus");
  });

  it('quotes the offending token as sent (trimmed, original case)', () => {
    assertInvalid(() => parseStatuses('running, foo '), "'foo' is not a valid ClusterStatus");
    assertInvalid(() => parseStatuses('RUNNING,Closing'), "'Closing' is not a valid ClusterStatus");
  });

  it('rejects the empty value', () => {
    assertInvalid(() => parseStatuses(''), "'' is not a valid ClusterStatus");
  });

  it('rejects an empty token in a list', () => {
    assertInvalid(() => parseStatuses('RUNNING,'), "'' is not a valid ClusterStatus");
    assertInvalid(() => parseStatuses(',RUNNING'), "'' is not a valid ClusterStatus");
    assertInvalid(() => parseStatuses('RUNNING,,PENDING'), "'' is not a valid ClusterStatus");
    assertInvalid(() => parseStatuses(' '), "'' is not a valid ClusterStatus");
  });

  it('rejects an empty repeated parameter', () => {
    assertInvalid(() => parseStatuses(['RUNNING', '']), "'' is not a valid ClusterStatus");
  });

  it('rejects internal job states that are not public statuses', () => {
    assertInvalid(() => parseStatuses('CREATED'), "'CREATED' is not a valid ClusterStatus");
    assertInvalid(() => parseStatuses('SUBMITTED'), "'SUBMITTED' is not a valid ClusterStatus");
    assertInvalid(() => parseStatuses('CLOSING'), "'CLOSING' is not a valid ClusterStatus");
  });
});
