/// <reference types="node" />
// Unit tests of the new-cluster form's checks: variables as rows (a line without "=" cannot
// exist; bad names, duplicates and nameless values are refused by the label users see), number
// bounds, and the submitted mapping.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { OptionEntry } from '@gatehouse/api';
import { checkOptions, submittedOptions, withLabel } from './option-checks.js';

const env: OptionEntry = {
  field: 'environment_vars',
  label: 'Environment Variables',
  default: {},
  spec: { type: 'mapping' },
};
const cores: OptionEntry = {
  field: 'worker_cores',
  label: 'Worker Cores',
  default: 1,
  spec: { type: 'int', min: 1, max: 4 },
};

it('refuses bad rows by the label, and accepts blank ones', () => {
  const check = (rows: { name: string; value: string }[]) =>
    checkOptions([env], { environment_vars: rows }).environment_vars;
  assert.match(check([{ name: '1 BAD', value: 'x' }]) ?? '', /^Environment Variables: "1 BAD"/);
  assert.match(check([{ name: '', value: 'x' }]) ?? '', /needs a name/);
  assert.match(
    check([
      { name: 'A', value: '1' },
      { name: 'A', value: '2' },
    ]) ?? '',
    /A is set twice/
  );
  assert.equal(
    check([
      { name: '', value: '' },
      { name: 'NOEQUALS', value: '' },
    ]),
    undefined
  );
});

it('checks number bounds by the label', () => {
  assert.deepEqual(checkOptions([cores], { worker_cores: 9 }), {
    worker_cores: 'Worker Cores must be at most 4.',
  });
  assert.deepEqual(checkOptions([cores], { worker_cores: '' }), {
    worker_cores: 'Worker Cores must be a number.',
  });
  assert.deepEqual(checkOptions([cores], { worker_cores: 2 }), {});
});

it('submits rows as a mapping, and names fields by their label in server messages', () => {
  const rows = [
    { name: ' A ', value: '1' },
    { name: '', value: '' },
  ];
  assert.deepEqual(submittedOptions([env, cores], { environment_vars: rows, worker_cores: 2 }), {
    environment_vars: { A: '1' },
    worker_cores: 2,
  });
  assert.equal(withLabel(env, 'environment_vars: bad'), 'Environment Variables: bad');
});
