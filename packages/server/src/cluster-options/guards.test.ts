/**
 * Tests for the JSON type guards.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIntegral, isNonNegativeInteger, isRecord } from './guards.js';

describe('isRecord', () => {
  it('accepts plain and null-prototype objects only', () => {
    assert.equal(isRecord({}), true);
    assert.equal(isRecord(JSON.parse('{"__proto__": 1}')), true);
    assert.equal(isRecord(Object.create(null)), true);
    assert.equal(isRecord([]), false);
    assert.equal(isRecord(null), false);
    assert.equal(isRecord('x'), false);
    assert.equal(isRecord(new Date()), false);
    assert.equal(isRecord(new Map()), false);
  });
});

describe('isIntegral / isNonNegativeInteger', () => {
  it('accepts whole numbers and rejects booleans', () => {
    assert.equal(isIntegral(3), true);
    assert.equal(isIntegral(-3), true);
    assert.equal(isIntegral(2.5), false);
    assert.equal(isIntegral(true), false);
    assert.equal(isIntegral('3'), false);
    assert.equal(isNonNegativeInteger(0), true);
    assert.equal(isNonNegativeInteger(-1), false);
    assert.equal(isNonNegativeInteger(NaN), false);
  });
});
