/**
 * Tests for the options a user sees (`fieldsFor`: visibility by group and admin role, selects
 * left with no choice omitted, defaults computed among visible choices), the environment
 * variables check (`environmentFrom`), and the options service built over them (spec, and
 * submitted options resolved to a cluster configuration). The environment catalog is a stand-in
 * here; the real one is tested in environments.test.ts.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { User } from '../auth/authenticator.js';
import type { EnvironmentVariablesConfig, ProfileConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import type { EnvironmentCatalog, EnvironmentStatus } from './environments.js';
import type { OptionField, SelectField } from './fields.js';
import { createClusterOptionsService } from './options-service.js';
import {
  ENV_VARS_FIELD,
  ENVIRONMENT_FIELD,
  PROFILE_FIELD,
  environmentFrom,
  fieldsFor,
  type UserOptionsConfig,
} from './user-options.js';

const log = pino({ level: 'silent' });

function env(name: string, groups: string[] = [], state: EnvironmentStatus['state'] = 'ok') {
  return {
    name,
    prefix: `/envs/${name}`,
    groups,
    state,
    detail: state === 'broken' ? 'No module named distributed' : '',
    versions: {},
    checkedAt: state === 'pending' ? null : 0,
  } satisfies EnvironmentStatus;
}

/** A stand-in catalog over fixed statuses, with the real catalog's group rule. */
function fakeCatalog(statuses: EnvironmentStatus[]): EnvironmentCatalog {
  return {
    list: () => statuses,
    usableFor: (groups, admin) =>
      statuses.filter(
        (e) =>
          e.state === 'ok' &&
          (admin || e.groups.length === 0 || e.groups.some((g) => groups.includes(g)))
      ),
    refresh: () => Promise.resolve(),
  };
}

function profile(name: string, extra: Partial<Omit<ProfileConfig, 'name'>> = {}): ProfileConfig {
  return { name, worker_cores: 2, worker_memory: '8 G', default: false, groups: [], ...extra };
}

const SMALL = profile('Small Worker', { default: true });
const MEDIUM = profile('Medium Worker', { worker_cores: 4, worker_memory: '16 G' });
const STAFF = profile('Staff Worker', { worker_cores: 8, groups: ['staff'] });

function rules(extra: Partial<EnvironmentVariablesConfig> = {}): EnvironmentVariablesConfig {
  return {
    enabled: true,
    max_count: 64,
    max_value_length: 4096,
    reserved: [],
    admin: {},
    ...extra,
  };
}

function config(extra: Partial<UserOptionsConfig> = {}): UserOptionsConfig {
  return {
    catalog: fakeCatalog([env('env-a'), env('env-b'), env('gpu', ['gpu-users'])]),
    defaultEnvironment: null,
    profiles: [SMALL, MEDIUM, STAFF],
    environmentVariables: rules(),
    general: [],
    ...extra,
  };
}

const alice: User = { name: 'alice', groups: [], admin: false };
const staffer: User = { name: 'sam', groups: ['staff', 'gpu-users'], admin: false };
const admin: User = { name: 'admin', groups: [], admin: true };

function select(fields: OptionField[], name: string): SelectField {
  const f = fields.find((x) => x.field === name);
  assert.ok(f !== undefined && f.type === 'select', `${name} is a select`);
  return f;
}

const keys = (f: SelectField) => f.options.map((o) => o.key);

/** Asserts that `fn` throws a 422-style GatewayError with exactly `message`. */
function throwsInvalid(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof GatewayError);
    assert.equal(err.code, 'invalid_option');
    assert.equal(err.message, message);
    return true;
  });
}

describe('fieldsFor', () => {
  it('gives the three SMCE fields in order, with their labels and targets', () => {
    const fields = fieldsFor(config(), alice);
    assert.deepEqual(
      fields.map((f) => [f.field, f.label]),
      [
        [ENVIRONMENT_FIELD, 'Environment'],
        [PROFILE_FIELD, 'Cluster Profile'],
        [ENV_VARS_FIELD, 'Environment Variables'],
      ]
    );
    assert.deepEqual(fields[0], {
      type: 'select',
      field: 'conda_environment',
      label: 'Environment',
      target: 'python_env',
      options: [
        { key: 'env-a', value: '/envs/env-a' },
        { key: 'env-b', value: '/envs/env-b' },
      ],
      default: 'env-a',
    });
    assert.deepEqual(fields[2], {
      type: 'mapping',
      field: 'environment_vars',
      label: 'Environment Variables',
      target: 'user_environment',
    });
  });

  it('makes each profile a merge of its worker and scheduler settings', () => {
    const withAll = profile('Full', {
      worker_cores: 4,
      worker_threads: 2,
      worker_memory: '16 G',
      scheduler_cores: 2,
      scheduler_memory: '4 G',
      idle_timeout: 600,
    });
    const f = select(fieldsFor(config({ profiles: [SMALL, withAll] }), alice), PROFILE_FIELD);
    assert.equal(f.apply, 'merge');
    assert.equal(f.target, undefined);
    assert.deepEqual(f.options, [
      {
        key: 'Small Worker',
        value: { worker_cores: 2, worker_threads: null, worker_memory: '8 G' },
      },
      {
        key: 'Full',
        value: {
          worker_cores: 4,
          worker_threads: 2,
          worker_memory: '16 G',
          scheduler_cores: 2,
          scheduler_memory: '4 G',
          idle_timeout: 600,
        },
      },
    ]);
  });

  it('leaves out choices limited to groups the user is not in', () => {
    const fields = fieldsFor(config(), alice);
    assert.deepEqual(keys(select(fields, ENVIRONMENT_FIELD)), ['env-a', 'env-b']);
    assert.deepEqual(keys(select(fields, PROFILE_FIELD)), ['Small Worker', 'Medium Worker']);
  });

  it('offers group-limited choices to members of one of the groups', () => {
    const fields = fieldsFor(config(), staffer);
    assert.deepEqual(keys(select(fields, ENVIRONMENT_FIELD)), ['env-a', 'env-b', 'gpu']);
    assert.deepEqual(keys(select(fields, PROFILE_FIELD)), [
      'Small Worker',
      'Medium Worker',
      'Staff Worker',
    ]);
    // Membership of one of several groups is enough.
    const twoGroups = profile('Two', { groups: ['x', 'staff'] });
    assert.deepEqual(
      keys(select(fieldsFor(config({ profiles: [twoGroups] }), staffer), PROFILE_FIELD)),
      ['Two']
    );
    const other = { name: 'olga', groups: ['other'], admin: false };
    assert.equal(
      fieldsFor(config({ profiles: [twoGroups] }), other).some((f) => f.field === PROFILE_FIELD),
      false
    );
  });

  it('shows admins every choice', () => {
    const fields = fieldsFor(config(), admin);
    assert.deepEqual(keys(select(fields, ENVIRONMENT_FIELD)), ['env-a', 'env-b', 'gpu']);
    assert.deepEqual(keys(select(fields, PROFILE_FIELD)), [
      'Small Worker',
      'Medium Worker',
      'Staff Worker',
    ]);
  });

  it('offers only environments whose check passed', () => {
    const catalog = fakeCatalog([env('broken', [], 'broken'), env('new', [], 'pending')]);
    const fields = fieldsFor(
      config({ catalog: fakeCatalog([...catalog.list(), env('ok')]) }),
      admin
    );
    assert.deepEqual(keys(select(fields, ENVIRONMENT_FIELD)), ['ok']);
  });

  it('omits a select the user has no choice in, and the mapping when disabled', () => {
    const none = config({
      catalog: fakeCatalog([env('gpu', ['gpu-users']), env('broken', [], 'broken')]),
      profiles: [STAFF],
    });
    assert.deepEqual(
      fieldsFor(none, alice).map((f) => f.field),
      [ENV_VARS_FIELD]
    );
    // The admin still sees them.
    assert.deepEqual(
      fieldsFor(none, admin).map((f) => f.field),
      [ENVIRONMENT_FIELD, PROFILE_FIELD, ENV_VARS_FIELD]
    );
    // No catalog (no environments configured), no profiles, variables disabled: nothing.
    const empty = config({
      catalog: null,
      profiles: [],
      environmentVariables: rules({ enabled: false }),
    });
    assert.deepEqual(fieldsFor(empty, admin), []);
    assert.deepEqual(
      fieldsFor(config({ catalog: fakeCatalog([]) }), admin)[0]?.field,
      PROFILE_FIELD
    );
  });

  it('puts the general fields after the SMCE ones', () => {
    const general: OptionField[] = [{ type: 'int', field: 'worker_count', min: 0, max: 4 }];
    assert.deepEqual(
      fieldsFor(config({ general }), alice).map((f) => f.field),
      [ENVIRONMENT_FIELD, PROFILE_FIELD, ENV_VARS_FIELD, 'worker_count']
    );
    assert.deepEqual(fieldsFor(config({ general, catalog: null, profiles: [] }), alice), [
      ...fieldsFor(config({ catalog: null, profiles: [] }), alice),
      ...general,
    ]);
  });

  it('defaults to the marked profile, else the first visible one', () => {
    assert.equal(select(fieldsFor(config(), alice), PROFILE_FIELD).default, 'Small Worker');
    const unmarked = [profile('A'), profile('B')];
    assert.equal(
      select(fieldsFor(config({ profiles: unmarked }), alice), PROFILE_FIELD).default,
      'A'
    );
    // The marked default is hidden from alice: her default is the first profile she sees.
    const staffDefault = [{ ...STAFF, default: true }, { ...SMALL, default: false }, MEDIUM];
    assert.equal(
      select(fieldsFor(config({ profiles: staffDefault }), alice), PROFILE_FIELD).default,
      'Small Worker'
    );
    assert.equal(
      select(fieldsFor(config({ profiles: staffDefault }), staffer), PROFILE_FIELD).default,
      'Staff Worker'
    );
    assert.equal(
      select(fieldsFor(config({ profiles: staffDefault }), admin), PROFILE_FIELD).default,
      'Staff Worker'
    );
  });

  it('defaults to the configured environment when visible, else the first visible one', () => {
    const pick = (defaultEnvironment: string | null, user: User) =>
      select(fieldsFor(config({ defaultEnvironment }), user), ENVIRONMENT_FIELD).default;
    assert.equal(pick(null, alice), 'env-a');
    assert.equal(pick('env-b', alice), 'env-b');
    assert.equal(pick('gpu', alice), 'env-a');
    assert.equal(pick('gpu', staffer), 'gpu');
    assert.equal(pick('gpu', admin), 'gpu');
    // A default that names no environment (or one whose check failed) falls back too.
    assert.equal(pick('nope', admin), 'env-a');
    const withBroken = config({
      catalog: fakeCatalog([env('broken', [], 'broken'), env('ok')]),
      defaultEnvironment: 'broken',
    });
    assert.equal(select(fieldsFor(withBroken, admin), ENVIRONMENT_FIELD).default, 'ok');
  });

  it('asks the catalog with the user’s groups and role', () => {
    const calls: Array<[readonly string[], boolean]> = [];
    const catalog: EnvironmentCatalog = {
      list: () => [],
      usableFor: (groups, isAdmin) => {
        calls.push([groups, isAdmin]);
        return [];
      },
      refresh: () => Promise.resolve(),
    };
    fieldsFor(config({ catalog }), staffer);
    fieldsFor(config({ catalog }), admin);
    assert.deepEqual(calls, [
      [['staff', 'gpu-users'], false],
      [[], true],
    ]);
  });
});

describe('environmentFrom', () => {
  it('returns the admin variables alone when the user gave none', () => {
    const r = rules({ admin: { A: '1' } });
    assert.deepEqual(environmentFrom(undefined, r), { A: '1' });
    assert.deepEqual(environmentFrom(null, r), { A: '1' });
    assert.deepEqual(environmentFrom({}, r), { A: '1' });
  });

  it('overlays the user variables with the admin ones', () => {
    const r = rules({ admin: { ADMIN_SET: '1', SITE: 'smce' } });
    assert.deepEqual(environmentFrom({ MY_VAR: 'hello', ADMIN_SET: 'user', _x1: '' }, r), {
      MY_VAR: 'hello',
      ADMIN_SET: '1',
      SITE: 'smce',
      _x1: '',
    });
  });

  it('refuses what is not a mapping', () => {
    for (const [value, shown] of [
      ['A=1', "'A=1'"],
      [['A'], "['A']"],
      [3, '3'],
    ] as const) {
      throwsInvalid(
        () => environmentFrom(value, rules()),
        `environment_vars must be a mapping, got ${shown}`
      );
    }
  });

  it('limits the number of variables', () => {
    const r = rules({ max_count: 2 });
    assert.deepEqual(environmentFrom({ A: '1', B: '2' }, r), { A: '1', B: '2' });
    throwsInvalid(
      () => environmentFrom({ A: '1', B: '2', C: '3' }, r),
      'environment_vars may hold at most 2 variables, got 3'
    );
  });

  it('refuses names that are not shell identifiers', () => {
    throwsInvalid(
      () => environmentFrom({ '1ABC': 'x' }, rules()),
      "environment_vars: '1ABC' is not a valid variable name (letters, digits and _, not starting with a digit)"
    );
    throwsInvalid(
      () => environmentFrom({ OK: 'x', 'MY-VAR': 'x', '': 'x', 'A B': 'x' }, rules()),
      "environment_vars: 'MY-VAR', '', 'A B' are not valid variable names (letters, digits and _, not starting with a digit)"
    );
  });

  it('refuses names the gateway or the admin reserves', () => {
    const r = rules({ reserved: ['SITE_SECRET'] });
    throwsInvalid(
      () => environmentFrom({ DASK_GATEWAY_API_TOKEN: 'x' }, r),
      'environment_vars: DASK_GATEWAY_API_TOKEN is set by the gateway and cannot be set by users'
    );
    throwsInvalid(
      () => environmentFrom({ SITE_SECRET: 'x' }, r),
      'environment_vars: SITE_SECRET is set by the gateway and cannot be set by users'
    );
    throwsInvalid(
      () =>
        environmentFrom(
          {
            OK: 'x',
            DASK_GATEWAY_CLUSTER_NAME: 'x',
            DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION: 'False',
            SITE_SECRET: 'x',
          },
          r
        ),
      'environment_vars: DASK_GATEWAY_CLUSTER_NAME, DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION, SITE_SECRET are set by the gateway and cannot be set by users'
    );
    // Other dask settings and look-alike names are the user's.
    assert.deepEqual(
      environmentFrom({ DASK_DISTRIBUTED__WORKER__DAEMON: 'False', MY_DASK_GATEWAY_X: '1' }, r),
      { DASK_DISTRIBUTED__WORKER__DAEMON: 'False', MY_DASK_GATEWAY_X: '1' }
    );
  });

  it('refuses the comm settings spelled in another case (dask lower-cases the name)', () => {
    // dask.config.collect_env reads every DASK_* variable as name[5:].lower(): this one sets
    // distributed.comm.timeouts.connect as surely as DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT.
    throwsInvalid(
      () => environmentFrom({ DASK_distributed__comm__timeouts__connect: '77s' }, rules()),
      'environment_vars: DASK_distributed__comm__timeouts__connect is set by the gateway and cannot be set by users'
    );
  });

  it('checks names before values, and the count first', () => {
    throwsInvalid(
      () => environmentFrom({ '1A': 3 }, rules()),
      "environment_vars: '1A' is not a valid variable name (letters, digits and _, not starting with a digit)"
    );
    throwsInvalid(
      () => environmentFrom({ DASK_GATEWAY_X: 3 }, rules()),
      'environment_vars: DASK_GATEWAY_X is set by the gateway and cannot be set by users'
    );
    throwsInvalid(
      () => environmentFrom({ '1A': 'x', B: 'y' }, rules({ max_count: 1 })),
      'environment_vars may hold at most 1 variables, got 2'
    );
  });

  it('wants string values within the length limit', () => {
    const r = rules({ max_value_length: 5 });
    for (const [value, shown] of [
      [1, '1'],
      [null, 'None'],
      [true, 'True'],
      [['x'], "['x']"],
    ] as const) {
      throwsInvalid(
        () => environmentFrom({ A: value }, r),
        `environment_vars: the value of A must be a string, got ${shown}`
      );
    }
    assert.deepEqual(environmentFrom({ A: '12345' }, r), { A: '12345' });
    throwsInvalid(
      () => environmentFrom({ A: '123456' }, r),
      'environment_vars: the value of A is longer than 5 characters'
    );
  });
});

describe('the options service over the SMCE options', () => {
  const service = (extra: Partial<UserOptionsConfig> = {}) =>
    createClusterOptionsService(
      config({ environmentVariables: rules({ admin: { ADMIN_SET: '1' } }), ...extra }),
      { environment: { FROM_CLUSTER: 'c' } },
      log
    );

  it('sends each user the wire spec of the fields they see', () => {
    const s = service();
    assert.deepEqual(s.spec(alice), [
      {
        field: 'conda_environment',
        label: 'Environment',
        default: 'env-a',
        spec: { type: 'select', options: ['env-a', 'env-b'] },
      },
      {
        field: 'profile',
        label: 'Cluster Profile',
        default: 'Small Worker',
        spec: { type: 'select', options: ['Small Worker', 'Medium Worker'] },
      },
      {
        field: 'environment_vars',
        label: 'Environment Variables',
        default: {},
        spec: { type: 'mapping' },
      },
    ]);
    assert.deepEqual(s.spec(admin)[1]?.spec, {
      type: 'select',
      options: ['Small Worker', 'Medium Worker', 'Staff Worker'],
    });
  });

  it('resolves the chosen environment, profile and variables', () => {
    const { options, config: c } = service().resolve(alice, {
      conda_environment: 'env-b',
      profile: 'Medium Worker',
      environment_vars: { MY_VAR: 'hello', ADMIN_SET: 'user' },
    });
    assert.deepEqual(options, {
      conda_environment: 'env-b',
      profile: 'Medium Worker',
      environment_vars: { MY_VAR: 'hello', ADMIN_SET: 'user' },
    });
    assert.equal(c.python_env, '/envs/env-b');
    assert.equal(c.worker_cores, 4);
    assert.equal(c.worker_threads, 4);
    assert.equal(c.worker_memory, 16 * 2 ** 30);
    assert.deepEqual(c.environment, { FROM_CLUSTER: 'c', MY_VAR: 'hello', ADMIN_SET: '1' });
    assert.deepEqual(c.scheduler_cmd, ['python', '-m', 'distributed.cli.dask_scheduler']);
    assert.deepEqual(c.worker_cmd, ['python', '-m', 'distributed.cli.dask_worker']);
  });

  it('fills the defaults the user sees', () => {
    const { options, config: c } = service().resolve(alice, {});
    assert.deepEqual(options, {
      conda_environment: 'env-a',
      profile: 'Small Worker',
      environment_vars: {},
    });
    assert.equal(c.python_env, '/envs/env-a');
    assert.equal(c.worker_cores, 2);
    assert.equal(c.worker_memory, 8 * 2 ** 30);
    assert.deepEqual(c.environment, { FROM_CLUSTER: 'c', ADMIN_SET: '1' });
  });

  it('refuses hidden choices as it refuses unknown ones, but not to those who see them', () => {
    const s = service();
    throwsInvalid(
      () => s.resolve(alice, { profile: 'Staff Worker' }),
      "'Staff Worker' is not a valid option for profile"
    );
    throwsInvalid(
      () => s.resolve(alice, { profile: 'Huge Worker' }),
      "'Huge Worker' is not a valid option for profile"
    );
    throwsInvalid(
      () => s.resolve(alice, { conda_environment: 'gpu' }),
      "'gpu' is not a valid option for conda_environment"
    );
    assert.equal(s.resolve(staffer, { profile: 'Staff Worker' }).config.worker_cores, 8);
    assert.equal(s.resolve(admin, { conda_environment: 'gpu' }).config.python_env, '/envs/gpu');
  });

  it('refuses bad variables with the field named', () => {
    throwsInvalid(
      () => service().resolve(alice, { environment_vars: { DASK_GATEWAY_API_TOKEN: 'x' } }),
      'environment_vars: DASK_GATEWAY_API_TOKEN is set by the gateway and cannot be set by users'
    );
    throwsInvalid(
      () => service().resolve(alice, { environment_vars: 'A=1' }),
      "environment_vars must be a mapping, got 'A=1'"
    );
  });

  it('knows no environment_vars field when variables are disabled', () => {
    const s = service({ environmentVariables: rules({ enabled: false, admin: { X: '1' } }) });
    throwsInvalid(
      () => s.resolve(alice, { environment_vars: {} }),
      "Unknown fields ['environment_vars']"
    );
    // The cluster's own environment is left as configured.
    assert.deepEqual(s.resolve(alice, {}).config.environment, { FROM_CLUSTER: 'c' });
  });
});
