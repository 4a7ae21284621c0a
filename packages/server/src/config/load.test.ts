/**
 * Tests for the config loader: defaults, path resolution relative to the config file, timing
 * derivations, and errors that name the offending key path.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadConfig, parseListen, type GatewayConfig } from './load.js';
import type { ResolvedLocalBackend } from '../backends/local/local-config.js';
import type { ResolvedSlurmBackend } from '../backends/slurm/slurm-config.js';

let tmp = '';
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-load-test-'));
});
after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

let fileCounter = 0;
/** Writes `text` to a fresh YAML file (in a fresh sub-directory) and returns its path. */
function yamlFile(text: string): string {
  const dir = path.join(tmp, `case-${String(++fileCounter)}`);
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'gatehouse.yaml');
  writeFileSync(file, text);
  return file;
}

function fromFile(text: string): GatewayConfig {
  return loadConfig({ file: yamlFile(text), env: {}, defaultPythonEnv: '/x' });
}

function fromValues(values: unknown): GatewayConfig {
  return loadConfig({ values, env: {}, defaultPythonEnv: '/x', cwd: '/srv/gh' });
}

/** Runs `fn`, asserts it throws a ConfigError, and returns the error. */
/** The resolved section of a config whose backend is local (as its module resolved it). */
const local = (c: GatewayConfig) => c.backend as ResolvedLocalBackend;
/** The resolved section of a config whose backend is Slurm. */
const slurm = (c: GatewayConfig) => c.backend as ResolvedSlurmBackend;

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

/** The problem lines that start with `key:`. */
function problemsFor(err: ConfigError, key: string): string[] {
  return err.problems.filter((p) => p.startsWith(`${key}:`));
}

describe('loadConfig defaults', () => {
  it('uses the embedded defaults when no file is given, resolved against cwd', () => {
    const c = loadConfig({ env: {}, defaultPythonEnv: '/x', cwd: '/srv/gh' });
    assert.match(c.source, /defaults/, 'no file: the embedded defaults');
    assert.deepEqual(c.listen, { host: '127.0.0.1', port: 8000 });
    assert.equal(c.publicUrl, null);
    assert.equal(c.apiUrl, null);
    assert.equal(c.prefix, '');
    assert.equal(c.dataDir, '/srv/gh/.gatehouse');
    assert.equal(c.storePath, '/srv/gh/.gatehouse/gatehouse.db');
    assert.equal(c.stopClustersOnShutdown, false);
    assert.deepEqual(c.encryptionKeys, []);
    assert.deepEqual(c.log, { level: 'info', format: 'auto' });
    assert.deepEqual(c.auth, {
      type: 'basic',
      password: null,
      users: {},
      cookie_name: null,
      cache_max_age: 300,
    });
    assert.equal(c.backend.type, 'local');
    assert.equal(c.backend.pythonEnv, '/x');
    assert.equal(local(c).clustersDirectory, '/srv/gh/.gatehouse/clusters');
    assert.equal(c.backend.logsDirectory, '/srv/gh/.gatehouse/logs');
    assert.equal(local(c).sigint_timeout, 10);
    assert.equal(local(c).sigterm_timeout, 5);
    assert.equal(local(c).sigkill_timeout, 5);
    assert.deepEqual(c.cluster, {});
    assert.deepEqual(c.options, []);
    assert.ok(!('python_env' in c.backend), 'raw python_env is replaced by pythonEnv');
    assert.ok(!('clusters_directory' in c.backend));
    assert.ok(!('logs_directory' in c.backend));
  });

  it('derives the timing defaults', () => {
    const c = loadConfig({ env: {}, defaultPythonEnv: '/x' });
    assert.deepEqual(c.timing, {
      heartbeatPeriod: 15,
      heartbeatTimeout: 30,
      clusterStartTimeout: 60,
      workerStartTimeout: 60,
      checkTimeoutsPeriod: 15,
      clusterStatusPeriod: 30,
      workerStatusPeriod: 30,
      workerStartFailureLimit: 3,
      schedulerApiRetries: 3,
      parallelism: 20,
      dbCleanupPeriod: 600,
      clusterMaxAge: 86400,
      orphanScanPeriod: 60,
    });
  });

  it('an empty YAML file means all defaults, relative to the file directory', () => {
    const file = yamlFile('');
    const c = loadConfig({ file, env: {}, defaultPythonEnv: '/x', cwd: '/elsewhere' });
    assert.equal(c.source, file);
    assert.equal(c.dataDir, path.join(path.dirname(file), '.gatehouse'));
    assert.deepEqual(c.listen, { host: '127.0.0.1', port: 8000 });
  });

  it('a relative file path is resolved against cwd', () => {
    const file = yamlFile('listen: 127.0.0.1:9000\n');
    const c = loadConfig({
      file: path.basename(file),
      cwd: path.dirname(file),
      env: {},
      defaultPythonEnv: '/x',
    });
    assert.equal(c.source, file);
    assert.equal(c.listen.port, 9000);
  });
});

describe('loadConfig paths', () => {
  it('the Slurm backend: defaults, staging under data_dir, bad values named', () => {
    const c = fromValues({ data_dir: 'd', backend: { type: 'slurm', partition: 'p' } });
    assert.equal(c.backend.type, 'slurm');
    assert.equal(slurm(c).stagingDirectory, '/srv/gh/d/staging');
    assert.equal(c.backend.logsDirectory, '/srv/gh/d/logs');
    assert.equal(slurm(c).scheduler_placement, 'slurm');
    assert.equal(slurm(c).queue_timeout, 600);
    assert.equal(slurm(c).submit_as_user, false);
    const err = configError(() =>
      fromValues({ backend: { type: 'slurm', scheduler_placement: 'elsewhere' } })
    );
    assert.match(err.message, /backend/);
    const directive = configError(() =>
      fromValues({ backend: { type: 'slurm', extra_directives: ['constraint=x'] } })
    );
    assert.match(directive.message, /extra_directives/);
  });

  it('resolves data_dir, store and backend directories relative to the config file', () => {
    const file = yamlFile(
      [
        'data_dir: state',
        'store:',
        '  url: sqlite:db/gh.sqlite',
        'backend:',
        '  type: local',
        '  python_env: ../venv',
        '  clusters_directory: work',
        '  logs_directory: /var/log/gh',
        '',
      ].join('\n')
    );
    const dir = path.dirname(file);
    const c = loadConfig({ file, env: {}, defaultPythonEnv: '/x', cwd: '/elsewhere' });
    assert.equal(c.dataDir, path.join(dir, 'state'));
    assert.equal(c.storePath, path.join(dir, 'db/gh.sqlite'));
    assert.equal(c.backend.pythonEnv, path.resolve(dir, '../venv'));
    assert.equal(local(c).clustersDirectory, path.join(dir, 'work'));
    assert.equal(c.backend.logsDirectory, '/var/log/gh');
  });

  it('the store defaults to <data_dir>/gatehouse.db; an absolute data_dir stays', () => {
    const c = fromFile('data_dir: /var/lib/gh\n');
    assert.equal(c.dataDir, '/var/lib/gh');
    assert.equal(c.storePath, '/var/lib/gh/gatehouse.db');
    assert.equal(local(c).clustersDirectory, '/var/lib/gh/clusters');
    assert.equal(c.backend.logsDirectory, '/var/lib/gh/logs');
  });

  it('values: are resolved against cwd', () => {
    const c = fromValues({ data_dir: 'd', store: { url: 'sqlite:x.db' } });
    assert.equal(c.source, 'values');
    assert.equal(c.dataDir, '/srv/gh/d');
    assert.equal(c.storePath, '/srv/gh/x.db');
  });

  it('python env: config, then GATEHOUSE_PYTHON_ENV, then the default', () => {
    const env = { GATEHOUSE_PYTHON_ENV: '/opt/env' };
    const base = { env, defaultPythonEnv: '/x', cwd: '/srv/gh' };
    assert.equal(loadConfig({ ...base, values: {} }).backend.pythonEnv, '/opt/env');
    assert.equal(
      loadConfig({ ...base, values: { backend: { type: 'local', python_env: 'venv' } } }).backend
        .pythonEnv,
      '/srv/gh/venv'
    );
    assert.equal(fromValues({}).backend.pythonEnv, '/x');
  });

  it('encryption keys: config, else GATEHOUSE_ENCRYPTION_KEYS split on ;', () => {
    const env = { GATEHOUSE_ENCRYPTION_KEYS: 'a2V5MQ==;;a2V5Mg==;' };
    assert.deepEqual(loadConfig({ values: {}, env, defaultPythonEnv: '/x' }).encryptionKeys, [
      'a2V5MQ==',
      'a2V5Mg==',
    ]);
    assert.deepEqual(
      loadConfig({ values: { store: { encryption_keys: ['k'] } }, env, defaultPythonEnv: '/x' })
        .encryptionKeys,
      ['k']
    );
  });
});

describe('loadConfig in-memory store', () => {
  it('sqlite::memory: stops clusters on shutdown by default', () => {
    const c = fromValues({ store: { url: 'sqlite::memory:' } });
    assert.equal(c.storePath, ':memory:');
    assert.equal(c.stopClustersOnShutdown, true);
  });

  it('sqlite::memory: with stop_clusters_on_shutdown false is an error', () => {
    const err = configError(() =>
      fromValues({ store: { url: 'sqlite::memory:' }, stop_clusters_on_shutdown: false })
    );
    assert.equal(problemsFor(err, 'stop_clusters_on_shutdown').length, 1);
  });

  it('a file store keeps an explicit stop_clusters_on_shutdown', () => {
    assert.equal(fromValues({ stop_clusters_on_shutdown: true }).stopClustersOnShutdown, true);
    assert.equal(fromValues({ stop_clusters_on_shutdown: false }).stopClustersOnShutdown, false);
  });

  it('rejects an unsupported store url, naming store.url', () => {
    const err = configError(() => fromValues({ store: { url: 'mysql://db/gh' } }));
    assert.match(err.problems.join('\n'), /^store\.url: unsupported store "mysql:\/\/db\/gh"/);
  });
});

describe('loadConfig timing derivations', () => {
  const timing = (backend: Record<string, unknown>) =>
    fromValues({ backend: { type: 'local', ...backend } }).timing;

  it('heartbeat_timeout defaults to 2 x heartbeat_period', () => {
    assert.equal(timing({ heartbeat_period: 5 }).heartbeatTimeout, 10);
    assert.equal(timing({ heartbeat_period: 0.5 }).heartbeatTimeout, 1);
    assert.equal(timing({ heartbeat_period: 5, heartbeat_timeout: 7 }).heartbeatTimeout, 7);
  });

  it('check_timeouts_period defaults to min(20, smallest timeout / 2)', () => {
    // Smallest is the heartbeat timeout (2 x 5 = 10).
    assert.equal(timing({ heartbeat_period: 5 }).checkTimeoutsPeriod, 5);
    // Smallest is 60 (all three): 30, capped at 20.
    assert.equal(timing({ heartbeat_period: 30 }).checkTimeoutsPeriod, 20);
    // Smallest is the cluster start timeout.
    assert.equal(timing({ cluster_start_timeout: 3 }).checkTimeoutsPeriod, 1.5);
    // Smallest is the worker start timeout.
    assert.equal(timing({ worker_start_timeout: 1 }).checkTimeoutsPeriod, 0.5);
    // Smallest is an explicit heartbeat timeout.
    assert.equal(timing({ heartbeat_timeout: 4 }).checkTimeoutsPeriod, 2);
  });

  it('check_timeouts_period never drops below 0.05 s and an explicit value wins', () => {
    assert.equal(timing({ worker_start_timeout: 0 }).checkTimeoutsPeriod, 0.05);
    assert.equal(timing({ check_timeouts_period: 0.5 }).checkTimeoutsPeriod, 0.5);
    assert.equal(timing({ check_timeouts_period: 100 }).checkTimeoutsPeriod, 100);
  });

  it('copies the other lifecycle settings', () => {
    const t = timing({
      cluster_status_period: 1,
      worker_status_period: 2,
      worker_start_failure_limit: 4,
      scheduler_api_retries: 5,
      parallelism: 6,
      db_cleanup_period: 7,
      cluster_max_age: 8,
    });
    assert.equal(t.clusterStatusPeriod, 1);
    assert.equal(t.workerStatusPeriod, 2);
    assert.equal(t.workerStartFailureLimit, 4);
    assert.equal(t.schedulerApiRetries, 5);
    assert.equal(t.parallelism, 6);
    assert.equal(t.dbCleanupPeriod, 7);
    assert.equal(t.clusterMaxAge, 8);
  });
});

describe('loadConfig listen', () => {
  it('reads listen from the file; the command line overrides it', () => {
    const file = yamlFile('listen: 0.0.0.0:9000\n');
    assert.deepEqual(loadConfig({ file, env: {}, defaultPythonEnv: '/x' }).listen, {
      host: '0.0.0.0',
      port: 9000,
    });
    assert.deepEqual(
      loadConfig({ file, env: {}, defaultPythonEnv: '/x', listen: '127.0.0.1:0' }).listen,
      { host: '127.0.0.1', port: 0 }
    );
  });

  it('parseListen: empty host means all interfaces; brackets are removed', () => {
    assert.deepEqual(parseListen(':8000'), { host: '0.0.0.0', port: 8000 });
    assert.deepEqual(parseListen('[::1]:8000'), { host: '::1', port: 8000 });
    assert.deepEqual(parseListen('localhost:65535'), { host: 'localhost', port: 65535 });
  });

  for (const bad of ['nope', 'localhost', 'host:', 'host:65536', 'host:123456', 'host:-1', '']) {
    it(`parseListen rejects ${JSON.stringify(bad)}, naming the key`, () => {
      const err = configError(() => parseListen(bad, '--listen'));
      assert.deepEqual(err.problems, [`--listen: expected host:port, got ${JSON.stringify(bad)}`]);
    });
  }

  it('a bad listen in a file is a ConfigError naming listen', () => {
    const err = configError(() => fromFile('listen: nope\n'));
    assert.deepEqual(err.problems, ['listen: expected host:port, got "nope"']);
  });

  it('a bad listen in a file names the file as the source', () => {
    const file = yamlFile('listen: nope\n');
    const err = configError(() => loadConfig({ file, env: {}, defaultPythonEnv: '/x' }));
    assert.ok(err.message.startsWith(`invalid configuration in ${file}:`), err.message);
  });

  it('a listen that is not a string names listen', () => {
    const err = configError(() => fromFile('listen: 8000\n'));
    assert.equal(problemsFor(err, 'listen').length, 1);
    assert.match(err.problems[0] ?? '', /^listen: must be string \(got 8000\)$/);
  });
});

describe('loadConfig errors name the offending key path', () => {
  it('an unknown top-level key', () => {
    const err = configError(() => fromFile('bogus: 1\n'));
    assert.equal(err.problems.length, 1);
    assert.match(err.problems[0] ?? '', /^bogus: unknown key \(allowed: listen, /);
    assert.ok(err.message.startsWith('invalid configuration in '));
    assert.ok(err.message.includes('gatehouse.yaml'), 'the message names the file');
  });

  it('unknown key backend.heartbeat_perod', () => {
    const err = configError(() => fromFile('backend:\n  type: local\n  heartbeat_perod: 5\n'));
    const lines = problemsFor(err, 'backend.heartbeat_perod');
    assert.equal(lines.length, 1);
    assert.match(lines[0] ?? '', /unknown key \(allowed: type, python_env, .*heartbeat_period/);
  });

  it('wrong type backend.heartbeat_period: "x"', () => {
    const err = configError(() => fromFile('backend:\n  type: local\n  heartbeat_period: "x"\n'));
    assert.deepEqual(problemsFor(err, 'backend.heartbeat_period'), [
      'backend.heartbeat_period: must be number (got "x")',
    ]);
  });

  it('an invalid backend key is the only problem reported', () => {
    const err = configError(() => fromFile('backend:\n  type: local\n  heartbeat_period: "x"\n'));
    assert.deepEqual(err.problems, ['backend.heartbeat_period: must be number (got "x")']);
  });

  it('an invalid auth key is the only problem reported', () => {
    const err = configError(() => fromValues({ auth: { type: 'basic', cookie_name: 'a b' } }));
    assert.equal(err.problems.length, 1, err.problems.join('\n'));
    assert.match(err.problems[0] ?? '', /^auth\.cookie_name: /);
  });

  it('a backend without its type is the local backend', () => {
    const c = fromValues({ backend: { heartbeat_period: 5 } });
    assert.equal(c.backend.type, 'local');
    assert.equal(c.backend.heartbeat_period, 5);
  });

  it('an unknown backend type names backend.type', () => {
    const err = configError(() => fromValues({ backend: { type: 'k8s' } }));
    assert.deepEqual(err.problems, [
      `backend.type: must be one of 'local', 'slurm', 'kubernetes' (got "k8s")`,
    ]);
  });

  it('a heartbeat_period of 0 names backend.heartbeat_period', () => {
    const err = configError(() => fromValues({ backend: { type: 'local', heartbeat_period: 0 } }));
    assert.deepEqual(problemsFor(err, 'backend.heartbeat_period'), [
      'backend.heartbeat_period: must be > 0 (got 0)',
    ]);
  });

  it('options[0].max of the wrong type', () => {
    const err = configError(() =>
      fromFile('options:\n  - type: int\n    field: workers\n    max: ten\n')
    );
    assert.equal(err.problems.length, 1);
    assert.match(err.problems[0] ?? '', /^options\[0\]\.max: .*\(got "ten"\)$/);
  });

  it('a problem in a later option names its index', () => {
    const err = configError(() =>
      fromValues({
        options: [
          { type: 'int', field: 'workers' },
          { type: 'float', field: 'memory', min: 'low' },
        ],
      })
    );
    assert.equal(err.problems.length, 1);
    assert.match(err.problems[0] ?? '', /^options\[1\]\.min: /);
  });

  it('an unknown option type names options[0].type', () => {
    const err = configError(() => fromValues({ options: [{ type: 'date', field: 'd' }] }));
    assert.equal(err.problems.length, 1);
    assert.match(err.problems[0] ?? '', /^options\[0\]\.type: must be one of 'int', 'float', /);
  });

  it('duplicate option fields are reported under options', () => {
    const err = configError(() =>
      fromValues({
        options: [
          { type: 'int', field: 'a' },
          { type: 'bool', field: 'a' },
        ],
      })
    );
    assert.equal(err.problems.length, 1);
    assert.match(err.problems[0] ?? '', /^options: .*duplicate field name 'a'/);
  });

  it('unknown auth.type lists the allowed types', () => {
    const err = configError(() => fromFile('auth:\n  type: kerberos\n'));
    assert.deepEqual(err.problems, [
      `auth.type: must be one of 'basic', 'jupyterhub' (got "kerberos")`,
    ]);
  });

  it('auth given as a string names auth', () => {
    const err = configError(() => fromValues({ auth: 'basic' }));
    assert.deepEqual(err.problems, ['auth: must be object (got "basic")']);
  });

  it('an unknown nested key under log', () => {
    const err = configError(() => fromValues({ log: { level: 'info', colour: true } }));
    assert.equal(err.problems.length, 1);
    assert.match(err.problems[0] ?? '', /^log\.colour: unknown key \(allowed: level, format\)$/);
  });

  it('a bad log level names log.level', () => {
    const err = configError(() => fromValues({ log: { level: 'loud' } }));
    assert.equal(problemsFor(err, 'log.level').length, 1);
  });

  it('a prefix with a trailing slash names prefix', () => {
    const err = configError(() => fromValues({ prefix: '/gw/' }));
    assert.equal(err.problems.length, 1);
    assert.match(err.problems[0] ?? '', /^prefix: must match pattern/);
  });

  it('several problems are all reported', () => {
    const err = configError(() => fromValues({ bogus: 1, prefix: 'gw', data_dir: 3 }));
    assert.equal(problemsFor(err, 'bogus').length, 1);
    assert.equal(problemsFor(err, 'prefix').length, 1);
    assert.equal(problemsFor(err, 'data_dir').length, 1);
  });

  it('a YAML syntax error', () => {
    const err = configError(() => fromFile('listen: [unclosed\n'));
    assert.equal(err.problems.length, 1);
    assert.match(err.problems[0] ?? '', /^YAML syntax: /);
  });

  it('a YAML document that is not a mapping', () => {
    const err = configError(() => fromFile('- a\n- b\n'));
    assert.deepEqual(err.problems, ['the config must be a mapping of keys to values']);
    const err2 = configError(() => fromFile('just a string\n'));
    assert.deepEqual(err2.problems, ['the config must be a mapping of keys to values']);
  });

  it('a missing file', () => {
    const err = configError(() =>
      loadConfig({ file: path.join(tmp, 'missing.yaml'), env: {}, defaultPythonEnv: '/x' })
    );
    assert.equal(err.problems.length, 1);
    assert.match(err.problems[0] ?? '', /^cannot read the config file: .*ENOENT/);
  });
});

describe('loadConfig result', () => {
  it('is deeply frozen', () => {
    const c = fromValues({
      options: [{ type: 'int', field: 'workers', min: 0 }],
      cluster: { environment: { A: '1' } },
    });
    assert.ok(Object.isFrozen(c));
    assert.throws(() => {
      (c as { prefix: string }).prefix = '/x';
    }, TypeError);
    assert.throws(() => {
      (c.listen as { port: number }).port = 1;
    }, TypeError);
    assert.throws(() => {
      (c.timing as { heartbeatPeriod: number }).heartbeatPeriod = 1;
    }, TypeError);
    assert.throws(() => {
      local(c).inherited_environment.push('HOME');
    }, TypeError);
    assert.throws(() => {
      (c.options as unknown[]).push({});
    }, TypeError);
    assert.throws(() => {
      (c.options[0] as { min: number }).min = 3;
    }, TypeError);
    assert.throws(() => {
      (c.cluster.environment as Record<string, string>)['B'] = '2';
    }, TypeError);
  });

  it('does not mutate or freeze the values it was given', () => {
    const values = { backend: { type: 'local', heartbeat_period: 5 } };
    fromValues(values);
    assert.deepEqual(values, { backend: { type: 'local', heartbeat_period: 5 } });
    assert.ok(!Object.isFrozen(values.backend));
  });
});

describe('loadConfig environment, profile and option names', () => {
  const load = (values: unknown) => () => loadConfig({ values, env: {}, defaultPythonEnv: '/x' });
  it('rejects repeated environment and profile names', () => {
    assert.throws(
      load({
        environments: {
          list: [
            { name: 'a', prefix: '/a' },
            { name: 'a', prefix: '/b' },
          ],
        },
        profiles: [
          { name: 'S', worker_cores: 1, worker_memory: '1 G' },
          { name: 'S', worker_cores: 2, worker_memory: '2 G' },
        ],
      }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.includes('environments.list: the name "a" is used twice') &&
        err.problems.includes('profiles: the name "S" is used twice')
    );
  });
  it('rejects two default profiles, an unknown default environment and reserved field names', () => {
    assert.throws(
      load({
        environments: { list: [{ name: 'a', prefix: '/a' }], default: 'b' },
        profiles: [
          { name: 'S', worker_cores: 1, worker_memory: '1 G', default: true },
          { name: 'M', worker_cores: 2, worker_memory: '2 G', default: true },
        ],
        options: [{ type: 'string', field: 'profile' }],
      }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems.includes('profiles: more than one profile is marked default') &&
        err.problems.includes('environments.default: "b" names no listed environment') &&
        err.problems.some((p) => p.includes('"profile" is taken'))
    );
  });
});
