/**
 * Tests for worker limits, including the upstream `ClusterConfig` limit examples and the
 * message substrings matched by upstream's `test_cluster_resource_limits`.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GatewayError } from '../errors.js';
import { resolveClusterConfig } from './cluster-config.js';
import {
  clampAdapt,
  clampScale,
  effectiveMaxWorkers,
  validateAdaptBody,
  validateScaleCount,
  type LimitConfig,
} from './limits.js';

const GIB = 2 ** 30;

/** A limit configuration: upstream defaults (2 GiB, 1 core) plus `over`. */
function cfg(over: Partial<LimitConfig> = {}): LimitConfig {
  return {
    worker_memory: 2 * GIB,
    worker_cores: 1,
    scheduler_memory: 2 * GIB,
    scheduler_cores: 1,
    cluster_max_memory: null,
    cluster_max_cores: null,
    cluster_max_workers: null,
    ...over,
  };
}

/** Asserts a 422-style GatewayError with exactly `message`. */
function throwsInvalid(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'invalid');
    assert.equal(err.message, message);
    return true;
  });
}

describe('effectiveMaxWorkers (upstream examples)', () => {
  it('cores limit 6, worker 2, scheduler 1 → 2', () => {
    const { config } = resolveClusterConfig(
      { cluster_max_cores: 6, worker_cores: 2, scheduler_cores: 1 },
      {}
    );
    assert.equal(effectiveMaxWorkers(config), 2);
  });

  it('memory limit 6G, worker 2G, scheduler 1G → 2', () => {
    const { config } = resolveClusterConfig(
      { cluster_max_memory: '6G', worker_memory: '2G', scheduler_memory: '1G' },
      {}
    );
    assert.equal(effectiveMaxWorkers(config), 2);
  });

  it('explicit 10 with a cores-derived 2 → 2', () => {
    const { config } = resolveClusterConfig(
      { cluster_max_workers: 10, cluster_max_cores: 6, worker_cores: 2, scheduler_cores: 1 },
      {}
    );
    assert.equal(effectiveMaxWorkers(config), 2);
  });

  it('explicit 1 → 1', () => {
    const { config } = resolveClusterConfig({ cluster_max_workers: 1 }, {});
    assert.equal(effectiveMaxWorkers(config), 1);
  });
});

describe('effectiveMaxWorkers', () => {
  it('is null without limits', () => {
    assert.equal(effectiveMaxWorkers(cfg()), null);
  });

  it('takes the smallest of all limits', () => {
    const c = cfg({ cluster_max_memory: 20 * GIB, cluster_max_cores: 4, cluster_max_workers: 5 });
    assert.equal(effectiveMaxWorkers(c), 3);
  });

  it('raises negative results to 0', () => {
    assert.equal(effectiveMaxWorkers(cfg({ cluster_max_cores: 0 })), 0);
    assert.equal(effectiveMaxWorkers(cfg({ cluster_max_memory: GIB })), 0);
  });

  it('floors fractional core limits like Python', () => {
    assert.equal(effectiveMaxWorkers(cfg({ cluster_max_cores: 3.5, worker_cores: 1 })), 2);
    assert.equal(effectiveMaxWorkers(cfg({ cluster_max_cores: 1.1, scheduler_cores: 1 })), 0);
  });

  it('allows an explicit 0', () => {
    assert.equal(effectiveMaxWorkers(cfg({ cluster_max_workers: 0 })), 0);
  });
});

describe('clampScale', () => {
  it('passes requests within the limit', () => {
    assert.deepEqual(clampScale(2, cfg({ cluster_max_workers: 2 })), { count: 2, msg: null });
    assert.deepEqual(clampScale(100, cfg()), { count: 100, msg: null });
  });

  it('clamps with the upstream message', () => {
    const result = clampScale(3, cfg({ cluster_max_workers: 2 }));
    assert.equal(result.count, 2);
    assert.equal(
      result.msg,
      'Scale request of 3 workers would exceed resource limit of 2 workers. Scaling to 2 instead.'
    );
    assert.ok(result.msg.includes('Scaling to 2 instead'));
  });
});

describe('clampAdapt', () => {
  it('passes bounds through, nulls included, without a limit', () => {
    assert.deepEqual(clampAdapt({ minimum: null, maximum: null }, cfg()), {
      minimum: null,
      maximum: null,
      msg: null,
    });
    assert.deepEqual(clampAdapt({ minimum: 1, maximum: 50 }, cfg()), {
      minimum: 1,
      maximum: 50,
      msg: null,
    });
  });

  it('fills null bounds from the limit without a message', () => {
    assert.deepEqual(
      clampAdapt({ minimum: null, maximum: null }, cfg({ cluster_max_workers: 2 })),
      {
        minimum: 0,
        maximum: 2,
        msg: null,
      }
    );
  });

  it('clamps the maximum (upstream `maximum=2, minimum=0`)', () => {
    const result = clampAdapt({ minimum: null, maximum: 3 }, cfg({ cluster_max_workers: 2 }));
    assert.deepEqual(result, {
      minimum: 0,
      maximum: 2,
      msg:
        'Adapt with `maximum=3, minimum=0` workers would exceed resource limit of 2 workers. ' +
        'Using `maximum=2, minimum=0` instead.',
    });
    assert.ok(result.msg.includes('Using `maximum=2, minimum=0` instead'));
  });

  it('clamps both bounds (upstream `maximum=2, minimum=2`)', () => {
    const result = clampAdapt({ minimum: 3, maximum: 4 }, cfg({ cluster_max_workers: 2 }));
    assert.equal(result.minimum, 2);
    assert.equal(result.maximum, 2);
    assert.ok(result.msg?.includes('Using `maximum=2, minimum=2` instead'));
    assert.ok(result.msg?.startsWith('Adapt with `maximum=4, minimum=3` workers'));
  });
});

describe('validateScaleCount', () => {
  it('accepts non-negative integers', () => {
    assert.equal(validateScaleCount({ count: 0 }), 0);
    assert.equal(validateScaleCount({ count: 5 }), 5);
  });

  it('rejects everything else with the upstream message', () => {
    const cases: Array<[unknown, string]> = [
      [{}, 'None'],
      [{ count: null }, 'None'],
      [{ count: -1 }, '-1'],
      [{ count: 2.5 }, '2.5'],
      [{ count: true }, 'True'],
      [{ count: '3' }, '3'],
      [{ count: [1] }, '[1]'],
      [[1], 'None'],
      [null, 'None'],
    ];
    for (const [body, shown] of cases) {
      throwsInvalid(
        () => validateScaleCount(body),
        `Scale expects a non-negative integer, got ${shown}`
      );
    }
  });
});

describe('validateAdaptBody', () => {
  it('applies the defaults', () => {
    assert.deepEqual(validateAdaptBody({}), { minimum: null, maximum: null, active: true });
    assert.deepEqual(validateAdaptBody(null), { minimum: null, maximum: null, active: true });
    assert.deepEqual(validateAdaptBody({ minimum: null, maximum: 10, active: true }), {
      minimum: null,
      maximum: 10,
      active: true,
    });
    assert.deepEqual(validateAdaptBody({ minimum: 1, maximum: 3, active: false }), {
      minimum: 1,
      maximum: 3,
      active: false,
    });
  });

  it('names the offending key', () => {
    throwsInvalid(
      () => validateAdaptBody({ minimum: -1 }),
      'Adapt expects minimum to be None or a non-negative integer, got -1'
    );
    throwsInvalid(
      () => validateAdaptBody({ maximum: 'x' }),
      'Adapt expects maximum to be None or a non-negative integer, got x'
    );
    throwsInvalid(
      () => validateAdaptBody({ active: 1 }),
      'Adapt expects active to be a bool, got 1'
    );
    throwsInvalid(() => validateAdaptBody([]), "Adapt expects a dict, got 'list'");
  });

  it('refuses a minimum above the maximum, naming both (issue 16)', () => {
    throwsInvalid(
      () => validateAdaptBody({ minimum: 6, maximum: 2, active: true }),
      'Adapt expects minimum (6) to be at most maximum (2)'
    );
    // What the Python client sends for adapt(), adapt(maximum=…) and adapt(minimum=…) passes.
    assert.equal(validateAdaptBody({ minimum: 2, maximum: 2, active: true }).minimum, 2);
    assert.equal(validateAdaptBody({ minimum: 6, maximum: null, active: true }).minimum, 6);
    assert.equal(validateAdaptBody({ minimum: null, maximum: 2, active: true }).maximum, 2);
  });
});
