/**
 * `clusters new -o`: a mapping option takes one NAME=VALUE per `-o` (added to its default) or a
 * JSON object; an entry without `=` is a usage error naming the option; other fields take JSON
 * or text as before.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClusterOptions } from '@gatehouse/sdk';
import { CliError, EXIT } from '../src/client/exit-codes.js';
import { applyOptions, optionPair } from '../src/commands/option-pairs.js';

/** Options with a mapping `environment_vars` (default `{KEEP: '1'}`) and an int `size`. */
function options(): ClusterOptions {
  return new ClusterOptions([
    {
      field: 'environment_vars',
      label: 'Environment Variables',
      default: { KEEP: '1' },
      spec: { type: 'mapping' },
    },
    { field: 'size', label: 'Size', default: 1, spec: { type: 'int', min: 1, max: 4 } },
  ]);
}

/** The pairs of `args` (each the text after `-o`). */
const pairs = (...args: string[]) =>
  args.reduce<ReturnType<typeof optionPair>>((acc, a) => optionPair(a, acc), []);

describe('-o FIELD=VALUE', () => {
  it('adds NAME=VALUE entries to a mapping option, values may hold "="', () => {
    const o = options();
    applyOptions(o, pairs('environment_vars=FOO=bar', 'environment_vars=URL=a=b', 'size=2'));
    assert.deepEqual(o.values, {
      environment_vars: { KEEP: '1', FOO: 'bar', URL: 'a=b' },
      size: 2,
    });
  });

  it('takes a JSON object as the whole mapping', () => {
    const o = options();
    applyOptions(o, pairs('environment_vars={"A": "x"}'));
    assert.deepEqual(o.values['environment_vars'], { A: 'x' });
  });

  it('refuses an entry without "=" (exit 2), naming the option', () => {
    assert.throws(
      () => {
        applyOptions(options(), pairs('environment_vars=NOEQUALS'));
      },
      (err: unknown) =>
        err instanceof CliError &&
        err.exitCode === EXIT.usage &&
        /environment_vars=… expects NAME=VALUE/.test(err.message)
    );
    assert.throws(() => optionPair('noequals', []), CliError);
  });
});
