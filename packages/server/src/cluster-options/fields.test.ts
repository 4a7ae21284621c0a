/**
 * Tests for option fields: wire spec, validation messages (checked against upstream's Python
 * `options.py`), overrides, profiles and definition checks.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../errors.js';
import { checkFieldDefinitions, parseFieldDefinitions } from './field-definitions.js';
import {
  fieldDefault,
  optionSpec,
  optionsToOverrides,
  validateFieldValue,
  validateOptions,
  type OptionField,
} from './fields.js';

/** The option set of upstream's `test_cluster_options`. */
const UPSTREAM: readonly OptionField[] = [
  { type: 'int', field: 'option_one', default: 1, min: 1, max: 4, target: 'option_one_b' },
  {
    type: 'select',
    field: 'option_two',
    options: [
      { key: 'small', value: 1.5 },
      { key: 'large', value: 15 },
    ],
  },
];

/** Asserts that `fn` throws a 422-style GatewayError with exactly `message`. */
function throwsInvalid(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'invalid_option');
    assert.equal(err.message, message);
    return true;
  });
}

describe('upstream test_cluster_options scenario', () => {
  it('sends the wire spec without targets or select values', () => {
    assert.deepEqual(optionSpec(UPSTREAM), [
      {
        field: 'option_one',
        label: 'option_one',
        default: 1,
        spec: { type: 'int', min: 1, max: 4 },
      },
      {
        field: 'option_two',
        label: 'option_two',
        default: 'small',
        spec: { type: 'select', options: ['small', 'large'] },
      },
    ]);
  });

  it('normalizes an empty request to every field with its default', () => {
    assert.deepEqual(validateOptions(UPSTREAM, {}), { option_one: 1, option_two: 'small' });
  });

  it('maps options to targets and select values', () => {
    const normalized = validateOptions(UPSTREAM, {});
    assert.deepEqual(optionsToOverrides(UPSTREAM, normalized), {
      option_one_b: 1,
      option_two: 1.5,
    });
    const chosen = validateOptions(UPSTREAM, { option_one: 2, option_two: 'large' });
    assert.deepEqual(chosen, { option_one: 2, option_two: 'large' });
    assert.deepEqual(optionsToOverrides(UPSTREAM, chosen), { option_one_b: 2, option_two: 15 });
  });

  it('names the field in errors', () => {
    throwsInvalid(
      () => validateOptions(UPSTREAM, { option_two: 'medium' }),
      "'medium' is not a valid option for option_two"
    );
    throwsInvalid(
      () => validateOptions(UPSTREAM, { option_one: 5 }),
      'option_one must be <= 4.000000, got 5'
    );
  });
});

describe('validateOptions', () => {
  it('requires a dict, naming the Python type', () => {
    throwsInvalid(() => validateOptions(UPSTREAM, []), "options must be a dict, got 'list'");
    throwsInvalid(() => validateOptions(UPSTREAM, 'x'), "options must be a dict, got 'str'");
    throwsInvalid(() => validateOptions(UPSTREAM, null), "options must be a dict, got 'NoneType'");
    throwsInvalid(() => validateOptions(UPSTREAM, 1.5), "options must be a dict, got 'float'");
  });

  it('lists unknown fields sorted, before validating values', () => {
    throwsInvalid(
      () => validateOptions(UPSTREAM, { b: 1, a: 2, option_one: 99 }),
      "Unknown fields ['a', 'b']"
    );
    throwsInvalid(
      () => validateOptions(UPSTREAM, JSON.parse('{"__proto__": 1}')),
      "Unknown fields ['__proto__']"
    );
  });

  it('uses upstream messages for integers', () => {
    throwsInvalid(
      () => validateOptions(UPSTREAM, { option_one: 0 }),
      'option_one must be >= 1.000000, got 0'
    );
    throwsInvalid(
      () => validateOptions(UPSTREAM, { option_one: '2' }),
      "option_one must be an integer, got '2'"
    );
    throwsInvalid(
      () => validateOptions(UPSTREAM, { option_one: 2.5 }),
      'option_one must be an integer, got 2.5'
    );
    throwsInvalid(
      () => validateOptions(UPSTREAM, { option_one: null }),
      'option_one must be an integer, got None'
    );
    throwsInvalid(
      () => validateOptions(UPSTREAM, { option_one: true }),
      'option_one must be an integer, got True'
    );
  });

  it('validates fields in declaration order', () => {
    throwsInvalid(
      () => validateOptions(UPSTREAM, { option_two: 1, option_one: 0 }),
      'option_one must be >= 1.000000, got 0'
    );
    throwsInvalid(
      () => validateOptions(UPSTREAM, { option_two: 1 }),
      'option_two must be a string, got 1'
    );
  });

  it('uses upstream messages for the other types', () => {
    const f: OptionField = { type: 'float', field: 'mem', default: 2, min: 1, max: 8.5 };
    throwsInvalid(() => validateFieldValue(f, 9), 'mem must be <= 8.500000, got 9.0');
    throwsInvalid(() => validateFieldValue(f, 0.5), 'mem must be >= 1.000000, got 0.5');
    throwsInvalid(() => validateFieldValue(f, '1'), "mem must be a float, got '1'");
    assert.equal(validateFieldValue(f, 3), 3);
    throwsInvalid(
      () => validateFieldValue({ type: 'string', field: 's' }, 1),
      's must be a string, got 1'
    );
    throwsInvalid(
      () => validateFieldValue({ type: 'bool', field: 'b' }, 1),
      'b must be a bool, got 1'
    );
    throwsInvalid(
      () => validateFieldValue({ type: 'mapping', field: 'm' }, [1]),
      'm must be a mapping, got [1]'
    );
    throwsInvalid(
      () => validateFieldValue({ type: 'select', field: 'p', options: [{ key: 'a' }] }, "it's"),
      `"it's" is not a valid option for p`
    );
  });

  it('deep-copies mapping defaults', () => {
    const env: OptionField = { type: 'mapping', field: 'env', default: { A: { nested: 1 } } };
    const first = validateOptions([env], {});
    const second = validateOptions([env], {});
    assert.deepEqual(first, { env: { A: { nested: 1 } } });
    assert.notEqual(first['env'], second['env']);
    assert.deepEqual(env.default, { A: { nested: 1 } });
  });

  it('keeps submitted values and fills the rest', () => {
    const fields: OptionField[] = [
      { type: 'string', field: 'queue' },
      { type: 'bool', field: 'gpu' },
      { type: 'float', field: 'mem' },
      { type: 'mapping', field: 'env' },
    ];
    assert.deepEqual(validateOptions(fields, { gpu: true, env: { X: '1' } }), {
      queue: '',
      gpu: true,
      mem: 0,
      env: { X: '1' },
    });
  });
});

describe('optionSpec', () => {
  it('fills per-type defaults, labels and null bounds', () => {
    const fields: OptionField[] = [
      { type: 'int', field: 'cores', label: 'Worker Cores' },
      { type: 'float', field: 'mem', label: '' },
      { type: 'string', field: 'queue' },
      { type: 'bool', field: 'gpu' },
      { type: 'select', field: 'size', options: [{ key: 's' }, { key: 'm' }], default: 'm' },
      { type: 'mapping', field: 'env' },
    ];
    assert.deepEqual(optionSpec(fields), [
      {
        field: 'cores',
        label: 'Worker Cores',
        default: 0,
        spec: { type: 'int', min: null, max: null },
      },
      { field: 'mem', label: 'mem', default: 0, spec: { type: 'float', min: null, max: null } },
      { field: 'queue', label: 'queue', default: '', spec: { type: 'string' } },
      { field: 'gpu', label: 'gpu', default: false, spec: { type: 'bool' } },
      { field: 'size', label: 'size', default: 'm', spec: { type: 'select', options: ['s', 'm'] } },
      { field: 'env', label: 'env', default: {}, spec: { type: 'mapping' } },
    ]);
  });

  it('reports the first select key as the implicit default', () => {
    assert.equal(fieldDefault({ type: 'select', field: 'x', options: [{ key: 'k' }] }), 'k');
  });
});

describe('optionsToOverrides', () => {
  it('uses the key when a select option has no value, and null values as given', () => {
    const f: OptionField = {
      type: 'select',
      field: 'queue',
      target: 'q',
      options: [{ key: 'default' }, { key: 'none', value: null }],
    };
    assert.deepEqual(optionsToOverrides([f], { queue: 'default' }), { q: 'default' });
    assert.deepEqual(optionsToOverrides([f], { queue: 'none' }), { q: null });
  });

  it('merges a profile and lets later fields win', () => {
    const fields = parseFieldDefinitions([
      {
        type: 'select',
        field: 'profile',
        default: 'medium',
        apply: 'merge',
        options: [
          ['small', { worker_cores: 2, worker_memory: '4 G' }],
          ['medium', { worker_cores: 4, worker_memory: '8 G', environment: { P: 'm' } }],
        ],
      },
      { type: 'mapping', field: 'environment' },
    ]);
    const normalized = validateOptions(fields, {});
    assert.deepEqual(normalized, { profile: 'medium', environment: {} });
    assert.deepEqual(optionsToOverrides(fields, normalized), {
      worker_cores: 4,
      worker_memory: '8 G',
      environment: {},
    });
    assert.deepEqual(optionsToOverrides(fields, { profile: 'small' }), {
      worker_cores: 2,
      worker_memory: '4 G',
      environment: {},
    });
  });

  it('does not share select values with the definition', () => {
    const fields = parseFieldDefinitions([
      { type: 'select', field: 'p', apply: 'merge', options: [['a', { env: { X: '1' } }]] },
    ]);
    const overrides = optionsToOverrides(fields, { p: 'a' });
    const again = optionsToOverrides(fields, { p: 'a' });
    assert.notEqual(overrides['env'], again['env']);
  });

  it('re-validates values', () => {
    throwsInvalid(
      () => optionsToOverrides(UPSTREAM, { option_one: 9 }),
      'option_one must be <= 4.000000, got 9'
    );
  });
});

describe('checkFieldDefinitions / parseFieldDefinitions', () => {
  it('accepts the upstream set and the §4.4 profile example', () => {
    assert.deepEqual(checkFieldDefinitions(UPSTREAM), []);
    assert.deepEqual(
      checkFieldDefinitions([
        {
          type: 'select',
          field: 'profile',
          label: 'Cluster Profile',
          default: 'medium',
          options: [
            ['small', { worker_cores: 2, worker_memory: '4 G' }],
            ['medium', { worker_cores: 4, worker_memory: '8 G' }],
            ['large', { worker_cores: 8, worker_memory: '16 G' }],
          ],
        },
        { type: 'mapping', field: 'environment', label: 'Environment variables', default: {} },
      ]),
      []
    );
  });

  it('normalizes option forms and drops nulls', () => {
    assert.deepEqual(
      parseFieldDefinitions([
        {
          type: 'select',
          field: 's',
          label: null,
          options: ['a', ['b', 2], { key: 'c', value: 3 }],
        },
        { type: 'int', field: 'n', min: null, max: 3, default: 2, target: null },
        { type: 'mapping', field: 'm', default: null },
      ]),
      [
        {
          type: 'select',
          field: 's',
          options: [{ key: 'a' }, { key: 'b', value: 2 }, { key: 'c', value: 3 }],
        },
        { type: 'int', field: 'n', min: null, max: 3, default: 2 },
        { type: 'mapping', field: 'm' },
      ]
    );
  });

  it('reports every problem', () => {
    const problems = checkFieldDefinitions([
      { type: 'int', field: 'a', min: 5, max: 1, default: 3 },
      { type: 'int', field: 'b', min: 1 },
      { type: 'select', field: 'c', options: [] },
      { type: 'select', field: 'd', options: ['x', 'x'], default: 'y' },
      { type: 'string', field: 'a', default: 1 },
      { type: 'bogus', field: 'e' },
      { type: 'bool', field: '' },
      { type: 'float', field: 'f', min: 'low', targt: 'x' },
      { type: 'select', field: 'g', apply: 'merge', target: 't', options: [['k', 1]] },
      { type: 'int', field: 'h', min: 1.5, default: 2 },
      'nope',
    ]);
    assert.deepEqual(problems, [
      'fields[0] (a): min 5 is greater than max 1',
      'fields[0] (a): default: a must be >= 5.000000, got 3',
      'fields[1] (b): default: b must be >= 1.000000, got 0',
      'fields[2] (c): a select needs at least one option',
      "fields[3] (d): duplicate option key 'x'",
      "fields[3] (d): default: 'y' is not a valid option for d",
      'fields[4] (a): default: a must be a string, got 1',
      "fields[4] (a): duplicate field name 'a'",
      "fields[5] (e): type must be one of ['int', 'float', 'string', 'bool', 'select', 'mapping'], got 'bogus'",
      "fields[6]: field must be a non-empty string, got ''",
      "fields[7] (f): unknown key 'targt' for a float field",
      "fields[7] (f): min must be a number or null, got 'low'",
      "fields[8] (g): apply: 'merge' cannot be combined with target",
      "fields[8] (g): option 'k' needs a mapping value for apply: 'merge'",
      'fields[9] (h): min must be an integer or null, got 1.5',
      "fields[10]: must be a mapping, got 'nope'",
    ]);
  });

  it('rejects a non-list and throws with all problems from parseFieldDefinitions', () => {
    assert.deepEqual(checkFieldDefinitions({}), ['fields must be a list, got {}']);
    assert.throws(() => parseFieldDefinitions([{ type: 'int', field: 'x', default: 'a' }]), {
      message:
        "Invalid cluster option fields:\n  fields[0] (x): default: x must be an integer, got 'a'",
    });
  });
});
