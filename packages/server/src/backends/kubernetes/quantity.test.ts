/**
 * Tests for Kubernetes quantities: every suffix family parsed exactly, rounding up as the API
 * server does, YAML numbers, and refusals that name the key.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cpuCores,
  memoryBytes,
  parseQuantity,
  QuantityError,
  quantityMillis,
  quantityUnits,
} from './quantity.js';

const GI = 2 ** 30;

describe('parseQuantity', () => {
  it('reads CPU in cores and millicores alike', () => {
    assert.equal(cpuCores('1.5', 'k'), 1.5);
    assert.equal(cpuCores('1500m', 'k'), 1.5);
    assert.equal(cpuCores(1.5, 'k'), 1.5);
    assert.equal(cpuCores('3920m', 'k'), 3.92);
    assert.equal(cpuCores('.5', 'k'), 0.5);
    assert.equal(cpuCores('2.', 'k'), 2);
    assert.equal(cpuCores('+4', 'k'), 4);
  });

  it('keeps decimal and binary memory suffixes apart', () => {
    assert.equal(memoryBytes('5G', 'k'), 5_000_000_000);
    assert.equal(memoryBytes('5Gi', 'k'), 5 * GI);
    assert.equal(memoryBytes('16Gi', 'k'), 16 * GI);
    assert.equal(memoryBytes('512Mi', 'k'), 512 * 2 ** 20);
    assert.equal(memoryBytes('24581372Ki', 'k'), 24581372 * 1024);
    assert.equal(memoryBytes('1k', 'k'), 1000);
    assert.equal(memoryBytes('1M', 'k'), 1e6);
    assert.equal(memoryBytes('1T', 'k'), 1e12);
    assert.equal(memoryBytes('1Ti', 'k'), 2 ** 40);
    assert.equal(memoryBytes(1073741824, 'k'), GI);
  });

  it('reads exponents, and tells the exponent from the exa suffix', () => {
    assert.equal(memoryBytes('1e3', 'k'), 1000);
    assert.equal(memoryBytes('1E3', 'k'), 1000);
    assert.equal(memoryBytes('15e-1', 'k'), 2);
    assert.deepEqual(parseQuantity('1E', 'k'), { numerator: 10n ** 18n, denominator: 1n });
  });

  it('is exact where floating point is not, and rounds up at the end', () => {
    const tenth = parseQuantity('0.1', 'k');
    const hundredMilli = parseQuantity('100m', 'k');
    assert.equal(quantityMillis(tenth), 100n);
    assert.equal(quantityMillis(hundredMilli), 100n);
    assert.equal(quantityUnits(parseQuantity('1.5Gi', 'k')), 1610612736n);
    assert.equal(quantityUnits(parseQuantity('0.5', 'k')), 1n);
    assert.equal(quantityMillis(parseQuantity('0.0001', 'k')), 1n);
    assert.equal(memoryBytes('0', 'k'), 0);
    assert.equal(cpuCores('-0', 'k'), 0);
  });

  it('refuses what the API server would refuse, naming the key', () => {
    for (const bad of [
      '',
      '1.5x',
      '5gi',
      '5 Gi',
      'Gi',
      '1..5',
      '1e',
      'e3',
      '0x10',
      '1,5',
      '1Gib',
    ]) {
      assert.throws(
        () => parseQuantity(bad, 'profiles[0].kubernetes.requests.memory'),
        (e: unknown) =>
          e instanceof QuantityError &&
          e.key === 'profiles[0].kubernetes.requests.memory' &&
          e.message.startsWith('profiles[0].kubernetes.requests.memory: ') &&
          e.message.includes('is not a Kubernetes quantity'),
        bad
      );
    }
  });

  it('refuses negative values, non-numbers and absurd exponents', () => {
    assert.throws(
      () => cpuCores('-1', 'node_pool.node_template.cpu'),
      /node_pool\.node_template\.cpu: "-1" must not be negative/
    );
    assert.throws(
      () => cpuCores(true, 'a.cpu'),
      /a\.cpu: expected a Kubernetes quantity, got true/
    );
    assert.throws(() => cpuCores(Number.NaN, 'a.cpu'), /a\.cpu: expected a Kubernetes quantity/);
    assert.throws(() => memoryBytes('1e400', 'a.memory'), /a\.memory: "1e400" is out of range/);
    assert.throws(() => memoryBytes('1e30', 'a.memory'), /a\.memory: "1e30" is too large/);
  });
});
