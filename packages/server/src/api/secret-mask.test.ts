/**
 * Tests for the masking of secret-looking values in a cluster's options before a cluster view
 * shows them: by name (wider than "token"/"password"), passwords inside URLs whatever the name,
 * and nested mappings and lists.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MASK, maskSecretOptions } from './secret-mask.js';

describe('maskSecretOptions', () => {
  it('masks values of secret-looking names, mappings and NAME=value lines alike', () => {
    const out = maskSecretOptions({
      environment_vars: {
        API_TOKEN: 't0k',
        PGPASS: 'pw1',
        SMTP_PASS: 'pw2',
        AZURE_STORAGE_CONNECTION_STRING: 'cs',
        SESSION_COOKIE: 'ck',
        SOME_DSN: 'dsn',
        THREADS: '4',
      },
      env_text: 'DB_PWD=pw3\nMODE=fast',
    });
    assert.deepEqual(out.environment_vars, {
      API_TOKEN: MASK,
      PGPASS: MASK,
      SMTP_PASS: MASK,
      AZURE_STORAGE_CONNECTION_STRING: MASK,
      SESSION_COOKIE: MASK,
      SOME_DSN: MASK,
      THREADS: '4',
    });
    assert.equal(out.env_text, `DB_PWD=${MASK}\nMODE=fast`);
  });

  it('masks a password inside a URL whatever the variable is called', () => {
    const out = maskSecretOptions({
      environment_vars: { DATABASE_URL: 'postgres://u:hunter2@db.example:5432/x' },
      env_text: 'BROKER=amqp://bob:s3cret@mq/vh',
    });
    const text = JSON.stringify(out);
    assert.ok(!text.includes('hunter2') && !text.includes('s3cret'), text);
    assert.match(text, /postgres:\/\/u:••••@db\.example:5432\/x/);
  });

  it('masks nested mappings and list entries', () => {
    const out = maskSecretOptions({
      nested: { inner: { TOKEN: 'x1' } },
      listed: ['PASSWORD=abc', 'SAFE=1'],
    });
    const text = JSON.stringify(out);
    assert.ok(!text.includes('x1') && !text.includes('abc'), text);
    assert.match(text, /SAFE=1/);
  });

  it('leaves ordinary options alone (control)', () => {
    const o = { profile: 'Small Worker', worker_cores: 2, environment_vars: { A: 'b' } };
    assert.deepEqual(maskSecretOptions(o), o);
  });
});
