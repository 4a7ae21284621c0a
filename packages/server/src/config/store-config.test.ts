/**
 * The `store:` section: SQLite by path (the default) or the older url spelling, PostgreSQL by
 * `type: postgres` or a postgresql:// url, its password never shown, and the sealing key it
 * requires (config, GATEHOUSE_ENCRYPTION_KEYS or a key file), refused with how to set it.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, redactUrl, type GatewayConfig } from './load.js';

const fromValues = (values: unknown, env: Record<string, string> = {}): GatewayConfig =>
  loadConfig({ values, env, defaultPythonEnv: '/x', cwd: '/srv/gh' });

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.problems];
  }
  assert.fail('expected a ConfigError');
}

const PG = 'postgresql://gh:s3cret-pw@db.example:5432/gatehouse';

describe('store config', () => {
  it('SQLite: store.path, resolved against the base; the url spelling still works', () => {
    assert.deepEqual(fromValues({ store: { path: 'x.db' } }).store, {
      type: 'sqlite',
      path: '/srv/gh/x.db',
    });
    assert.deepEqual(fromValues({ store: { type: 'sqlite', path: ':memory:' } }).store, {
      type: 'sqlite',
      path: ':memory:',
    });
    assert.equal(fromValues({ store: { url: 'sqlite:y.db' } }).storePath, '/srv/gh/y.db');
  });

  it('PostgreSQL: by type or by url, with password_file and pool_size', () => {
    const keys = { encryption_key_file: '/etc/gh/store.key' };
    const byUrl = fromValues({ store: { url: PG, ...keys } });
    assert.equal(byUrl.store.type, 'postgres');
    const c = fromValues({
      store: { type: 'postgres', url: PG, password_file: 'pw', pool_size: 3, ...keys },
    });
    assert.deepEqual(c.store, {
      type: 'postgres',
      url: PG,
      passwordFile: '/srv/gh/pw',
      poolSize: 3,
      leaseSeconds: 15,
    });
    assert.equal(c.encryptionKeyFile, '/etc/gh/store.key');
    assert.equal(c.stopClustersOnShutdown, false, 'a restarted gateway re-adopts its clusters');
  });

  it('the password is hidden wherever the URL is shown', () => {
    const c = fromValues({ store: { url: PG, encryption_keys: ['k'] } });
    assert.equal(c.storePath, 'postgresql://gh:***@db.example:5432/gatehouse');
    assert.ok(!redactUrl(PG).includes('s3cret-pw'));
    const bad = problems(() =>
      fromValues({ store: { type: 'postgres', url: 'mysql://u:s3cret-pw@h/d' } })
    );
    assert.ok(bad.length > 0);
    assert.ok(!bad.join('\n').includes('s3cret-pw'), bad.join('\n'));
  });

  it('hides a password given in the query string too (node-postgres reads ?password=)', () => {
    const u = redactUrl(
      'postgresql://gh@db.example/gatehouse?password=s3cret-pw&sslpassword=k3y-pw'
    );
    assert.ok(!u.includes('s3cret-pw') && !u.includes('k3y-pw'), u);
    assert.match(u, /^postgresql:\/\/gh@db\.example\/gatehouse\?/);
  });

  it('PostgreSQL without a sealing key is refused, saying how to set one', () => {
    const p = problems(() => fromValues({ store: { type: 'postgres', url: PG } }));
    assert.equal(p.length, 1);
    assert.match(p[0] ?? '', /^store\.encryption_key_file: PostgreSQL needs a sealing key/);
    assert.match(p[0] ?? '', /head -c 32 \/dev\/urandom \| base64/);
    assert.ok(!(p[0] ?? '').includes('s3cret-pw'));
    const env = { GATEHOUSE_ENCRYPTION_KEYS: 'a2V5MQ==' };
    assert.deepEqual(fromValues({ store: { url: PG } }, env).encryptionKeys, ['a2V5MQ==']);
  });
});
