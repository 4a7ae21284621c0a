/**
 * Tests for the pool read from a Slurm partition.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poolFromNodes } from './slurm-pool.js';

describe('poolFromNodes', () => {
  it('one machine type named after the partition when every node is alike', () => {
    const nodes = Array.from({ length: 10 }, (_, i) => ({
      name: `n${String(i + 1)}`,
      cpus: 4,
      memoryMb: 16384,
    }));
    assert.deepEqual(poolFromNodes('gatehouse', nodes), [
      { name: 'gatehouse', cores: 4, memory: 16 * 2 ** 30, count: 10 },
    ]);
  });

  it('one type per size, largest first', () => {
    const types = poolFromNodes('p', [
      { name: 'a', cpus: 4, memoryMb: 16384 },
      { name: 'b', cpus: 8, memoryMb: 32768 },
      { name: 'c', cpus: 4, memoryMb: 16384 },
    ]);
    assert.deepEqual(
      types.map((t) => [t.name, t.count]),
      [
        ['p-8cpu-32768M', 1],
        ['p-4cpu-16384M', 2],
      ]
    );
  });
});
