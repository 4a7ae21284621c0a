/**
 * Tests for the parsers of `squeue` and `sinfo` output, on text as Slurm 22.05 prints it.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSinfo, parseSqueue } from './slurm-cli.js';

describe('parseSqueue', () => {
  it('reads id, state, reason and node list of every job', () => {
    const rows = parseSqueue(
      '12|RUNNING|None|n1\n13|PENDING|Resources|\n14|FAILED|NonZeroExitCode|n2\n'
    );
    assert.deepEqual([...rows.keys()], ['12', '13', '14']);
    assert.deepEqual(rows.get('13'), {
      id: '13',
      state: 'PENDING',
      reason: 'Resources',
      nodes: '',
    });
    assert.equal(rows.get('14')?.reason, 'NonZeroExitCode');
  });

  it('ignores blank lines', () => {
    assert.equal(parseSqueue('\n  \n').size, 0);
  });
});

describe('parseSinfo', () => {
  const text = [
    'n1|4|16384|gatehouse*',
    'n1|4|16384|three',
    'n2|4|16384|gatehouse*',
    'n4|8|32000|big',
  ].join('\n');

  it('lists the nodes of a named partition', () => {
    assert.deepEqual(parseSinfo(text, 'three'), [{ name: 'n1', cpus: 4, memoryMb: 16384 }]);
  });

  it('takes the default partition (marked *) when none is named', () => {
    assert.deepEqual(
      parseSinfo(text, null).map((n) => n.name),
      ['n1', 'n2']
    );
  });

  it('an unknown partition has no nodes', () => {
    assert.deepEqual(parseSinfo(text, 'nope'), []);
  });
});
