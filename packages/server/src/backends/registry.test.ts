/**
 * Tests for the backend registry: a backend type registered by a module alone is accepted by
 * the config schema and resolved by its module (no branch per type in the loader), an unknown
 * type is refused naming the registered ones, and `backend:` without `type:` gets the default.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from 'typebox';
import { ConfigError, loadConfig } from '../config/load.js';
import { LifecycleKeys } from '../config/sections/lifecycle.js';
import { defineBackend } from './backend-module.js';
import { localBackendModule } from './local/local-module.js';
import { builtinBackends, createBackendRegistry } from './registry.js';

const paperModule = defineBackend({
  type: 'paper',
  configSchema: Type.Object(
    { type: Type.Literal('paper'), sheets: Type.Integer({ default: 3 }), ...LifecycleKeys },
    { additionalProperties: false }
  ),
  resolveConfig: (raw, p) => ({ ...raw, pythonEnv: p.defaultPythonEnv, logsDirectory: '/logs' }),
  create: () => Promise.reject(new Error('paper cannot run clusters')),
});

const load = (
  values: unknown,
  backends = createBackendRegistry([localBackendModule, paperModule])
) => loadConfig({ values, env: {}, defaultPythonEnv: '/x', backends });

describe('backend registry', () => {
  it('a registered type is validated and resolved by its own module', () => {
    const c = load({ backend: { type: 'paper', heartbeat_period: 4 } });
    assert.equal(c.backend.type, 'paper');
    assert.equal((c.backend as unknown as { sheets: number }).sheets, 3);
    assert.equal(c.backend.logsDirectory, '/logs');
    assert.equal(c.timing.heartbeatPeriod, 4, 'the shared lifecycle keys reach the timing');
  });
  it('an unknown type is refused naming every registered type', () => {
    const err = (() => {
      try {
        load({ backend: { type: 'slurm' } });
      } catch (e) {
        return e;
      }
      return null;
    })();
    assert.ok(err instanceof ConfigError);
    assert.deepEqual(err.problems, [`backend.type: must be one of 'local', 'paper' (got "slurm")`]);
  });
  it('a section without type gets the first registered type; the builtins are local, slurm and kubernetes', () => {
    assert.equal(load({ backend: { heartbeat_period: 2 } }).backend.type, 'local');
    assert.deepEqual(
      builtinBackends().modules.map((m) => m.type),
      ['local', 'slurm', 'kubernetes']
    );
    assert.equal(load({ backend: {} }, builtinBackends()).backend.type, 'local');
  });
});
