/**
 * Tests for ClusterConfig resolution: defaults, precedence, parsing and validation messages.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../errors.js';
import { optionsToOverrides, validateOptions, type OptionField } from './fields.js';
import {
  CLUSTER_CONFIG_DEFAULTS,
  isClusterConfigField,
  resolveClusterConfig,
  type ClusterConfig,
} from './cluster-config.js';

const GIB = 2 ** 30;

/** Asserts a 422-style GatewayError whose message matches. */
function throwsInvalid(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'invalid');
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

describe('resolveClusterConfig', () => {
  it('applies upstream defaults', () => {
    const { config, ignored } = resolveClusterConfig({}, {});
    const expected: ClusterConfig = {
      scheduler_cmd: ['dask-scheduler'],
      worker_cmd: ['dask-worker'],
      environment: {},
      worker_memory: 2 * GIB,
      worker_cores: 1,
      worker_threads: 1,
      scheduler_memory: 2 * GIB,
      scheduler_cores: 1,
      adaptive_period: 3,
      idle_timeout: 0,
      cluster_max_memory: null,
      cluster_max_cores: null,
      cluster_max_workers: null,
      python_env: null,
      max_lifetime: null,
      no_client_timeout: null,
    };
    assert.deepEqual(config, expected);
    assert.deepEqual(ignored, []);
  });

  it('lets overrides win over the base, and ignores unknown keys', () => {
    const { config, ignored } = resolveClusterConfig(
      { worker_cores: 2, worker_memory: '4 G', scheduler_cmd: '/opt/bin/dask-scheduler' },
      { worker_cores: 3, option_one_b: 1, option_two: 1.5, idle_timeout: undefined }
    );
    assert.equal(config.worker_cores, 3);
    assert.equal(config.worker_threads, 3);
    assert.equal(config.worker_memory, 4 * GIB);
    assert.deepEqual(config.scheduler_cmd, ['/opt/bin/dask-scheduler']);
    assert.equal(config.idle_timeout, 0);
    assert.deepEqual(ignored, ['option_one_b', 'option_two']);
  });

  it('accepts the upstream option overrides end to end', () => {
    const fields: OptionField[] = [
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
    const overrides = optionsToOverrides(fields, validateOptions(fields, {}));
    const { config, ignored } = resolveClusterConfig({}, overrides);
    assert.equal(config.worker_cores, 1);
    assert.deepEqual(ignored, ['option_one_b', 'option_two']);
  });

  it('treats a null or 0 worker_threads as worker_cores', () => {
    assert.equal(
      resolveClusterConfig({ worker_cores: 4 }, { worker_threads: 0 }).config.worker_threads,
      4
    );
    assert.equal(
      resolveClusterConfig({ worker_threads: 2 }, { worker_threads: null }).config.worker_threads,
      1
    );
    assert.equal(
      resolveClusterConfig({ worker_cores: 4, worker_threads: 2 }, {}).config.worker_threads,
      2
    );
  });

  it('lets an override clear a limit with null', () => {
    const { config } = resolveClusterConfig(
      { cluster_max_workers: 10 },
      { cluster_max_workers: null }
    );
    assert.equal(config.cluster_max_workers, null);
  });

  it('copies commands and environment instead of sharing them', () => {
    const base = { worker_cmd: ['dask-worker', '--x'], environment: { A: '1' } };
    const { config } = resolveClusterConfig(base, {});
    assert.deepEqual(config.worker_cmd, ['dask-worker', '--x']);
    assert.notEqual(config.worker_cmd, base.worker_cmd);
    assert.notEqual(config.environment, base.environment);
    assert.ok(Object.isFrozen(CLUSTER_CONFIG_DEFAULTS));
  });

  it('parses memory limits', () => {
    const { config } = resolveClusterConfig(
      { cluster_max_memory: '6 G', scheduler_memory: '1 G', worker_memory: 1.5 * GIB },
      {}
    );
    assert.equal(config.cluster_max_memory, 6 * GIB);
    assert.equal(config.scheduler_memory, GIB);
    assert.equal(config.worker_memory, 1.5 * GIB);
  });

  it('rejects bad values, naming the field and the value', () => {
    throwsInvalid(
      () => resolveClusterConfig({}, { worker_cores: 0 }),
      'worker_cores must be an integer >= 1, got 0'
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { worker_cores: '2' }),
      "worker_cores must be an integer >= 1, got '2'"
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { worker_threads: -1 }),
      'worker_threads must be an integer >= 1, got -1'
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { scheduler_cores: 1.5 }),
      'scheduler_cores must be an integer >= 1, got 1.5'
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { adaptive_period: -1 }),
      'adaptive_period must be a number >= 0, got -1'
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { idle_timeout: 'soon' }),
      "idle_timeout must be a number >= 0, got 'soon'"
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { cluster_max_cores: -2 }),
      'cluster_max_cores must be None or a number >= 0, got -2'
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { cluster_max_workers: 1.5 }),
      'cluster_max_workers must be None or an integer >= 0, got 1.5'
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { worker_cmd: [] }),
      'worker_cmd must be a string or a non-empty list of strings, got []'
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { scheduler_cmd: ['dask-scheduler', 3] }),
      "scheduler_cmd must be a string or a non-empty list of strings, got ['dask-scheduler', 3]"
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { environment: ['A=1'] }),
      "environment must be a mapping of names to strings, got ['A=1']"
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { environment: { OK: 'x', N: 1 } }),
      "environment variable 'N' must be a string, got 1"
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { worker_memory: '2g' }),
      '2g is not a valid memory specification. Must be an int or a string with suffix K, M, G, T'
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { worker_memory: 0 }),
      'worker_memory must be positive, got 0'
    );
    throwsInvalid(
      () => resolveClusterConfig({}, { cluster_max_memory: '-1 G' }),
      'cluster_max_memory must not be negative, got -1073741824'
    );
  });

  it('checks the scheduler against the cluster limits', () => {
    throwsInvalid(
      () => resolveClusterConfig({ cluster_max_memory: '1 G' }, {}),
      'Scheduler memory request of 2.00 GiB exceeds cluster memory limit of 1024.00 MiB'
    );
    throwsInvalid(
      () => resolveClusterConfig({ cluster_max_cores: 1 }, { scheduler_cores: 2 }),
      'Scheduler cores request of 2 exceeds cluster cores limit of 1.0'
    );
    throwsInvalid(
      () => resolveClusterConfig({ cluster_max_cores: 0.5 }, {}),
      'Scheduler cores request of 1 exceeds cluster cores limit of 0.5'
    );
    const equal = resolveClusterConfig({ cluster_max_memory: '2 G', cluster_max_cores: 1 }, {});
    assert.equal(equal.config.cluster_max_memory, 2 * GIB);
  });
});

describe('isClusterConfigField', () => {
  it('knows the ClusterConfig fields only', () => {
    assert.equal(isClusterConfigField('worker_memory'), true);
    assert.equal(isClusterConfigField('option_one_b'), false);
    assert.equal(isClusterConfigField('toString'), false);
  });
});
