/**
 * Issue 14 (finding 9): a multi-user config with one shared Basic password and `admin_users`
 * lets anyone who knows the password be an admin. Config loading (and so `gatehouse config
 * check`) refuses it, naming the key path, unless the operator sets the opt-out key; per-user
 * password hashes and JupyterHub with admin users stay accepted (the positive controls).
 * @module
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { ConfigError, loadConfig, type GatewayConfig } from './load.js';

const CLI = fileURLToPath(new URL('../../../cli/bin/gatehouse.js', import.meta.url));
const HASH = `scrypt:${'a'.repeat(8)}`;

function fromValues(values: unknown): GatewayConfig {
  return loadConfig({ values, env: {}, defaultPythonEnv: '/x', cwd: '/srv/gh' });
}

function refusal(values: unknown): string[] {
  try {
    fromValues(values);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return [...err.problems];
  }
  assert.fail('expected a ConfigError');
}

const shared = { auth: { type: 'basic', password: 'team-secret' } };

describe('a shared password with admin users', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-admin-pw-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is refused, naming the key path and what to use instead', () => {
    const problems = refusal({ ...shared, access: { admin_users: ['alice'] } });
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0] ?? '', /^access\.admin_users: /);
    assert.match(problems[0] ?? '', /auth\.password/);
    assert.match(problems[0] ?? '', /hash-password|auth\.users/);
    assert.match(problems[0] ?? '', /JupyterHub/);
  });

  it('is accepted with the explicit opt-out key', () => {
    const c = fromValues({
      ...shared,
      access: { admin_users: ['alice'], unsafe_shared_password_admins: true },
    });
    assert.deepEqual(c.access.admin_users, ['alice']);
  });

  it('is fine without admin users, with per-user hashes, or with JupyterHub (controls)', () => {
    fromValues(shared);
    fromValues({
      auth: { type: 'basic', password: 'ignored', users: { alice: HASH } },
      access: { admin_users: ['alice'] },
    });
    fromValues({
      auth: { type: 'basic', users: { alice: HASH } },
      access: { admin_users: ['alice'] },
    });
    fromValues({
      auth: { type: 'jupyterhub', api_url: 'http://hub/api', api_token: 't'.repeat(32) },
      access: { admin_users: ['alice'] },
    });
  });

  it('`gatehouse config check` names the key and fails; a per-user config passes', () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(
      bad,
      'auth: {type: basic, password: team-secret}\naccess: {admin_users: [alice]}\n'
    );
    const r = spawnSync(process.execPath, [CLI, 'config', 'check', bad], { encoding: 'utf8' });
    assert.notEqual(r.status, 0, r.stdout);
    assert.match(r.stderr, /access\.admin_users/);
    const good = path.join(dir, 'good.yaml');
    writeFileSync(
      good,
      `auth: {type: basic, users: {alice: "${HASH}"}}\naccess: {admin_users: [alice]}\n`
    );
    const ok = spawnSync(process.execPath, [CLI, 'config', 'check', good], { encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /OK/);
    assert.doesNotMatch(ok.stderr, /warning/i);
  });

  it('`gatehouse config check` warns (and passes) when any password makes an admin', () => {
    const open = path.join(dir, 'open.yaml');
    writeFileSync(open, 'auth: {type: basic, password: null}\naccess: {admin_users: [alice]}\n');
    const r = spawnSync(process.execPath, [CLI, 'config', 'check', open], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: access\.admin_users: .*any password/i);
  });
});
