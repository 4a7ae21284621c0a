/**
 * The built `gatehouse` command's share verbs as subprocesses against a real Gatehouse (issue
 * 22): alice shares her cluster with bob (`share grant`, `--level manage`, `--group`), lists
 * the shares, bob finds it with `clusters shared` (owner and level), alice revokes and bob's
 * list is empty again; a foreign cluster and a bad level are refused with their exit codes.
 * (The gateway stops the cluster on shutdown: `stop_clusters_on_shutdown`.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Gateway, basicAuth } from '@gatehouse/sdk';
import { CLI, startGatehouse, type GatehouseProcess } from '../../sdk/test/gatehouse-process.js';

describe('gatehouse share and clusters shared', { timeout: 300_000 }, () => {
  let g: GatehouseProcess;
  let home: string;
  let cluster: string;
  const run = (user: string, ...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, ...args], {
      env: {
        PATH: process.env['PATH'] ?? '',
        HOME: home,
        GATEHOUSE_ADDRESS: g.url,
        GATEHOUSE_USER: user,
      },
      encoding: 'utf8',
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const parsed = (user: string, ...args: string[]): unknown => {
    const r = run(user, ...args);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout);
  };

  before(async () => {
    g = await startGatehouse();
    home = mkdtempSync(path.join(tmpdir(), 'gatehouse-cli-share-'));
    const admin = new Gateway({ address: g.url, auth: basicAuth('admin') });
    for (const u of ['alice', 'bob']) await admin.admin.grant(u);
    cluster = await new Gateway({ address: g.url, auth: basicAuth('alice') }).newCluster();
  });
  after(async () => {
    await g.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('grants, lists and revokes; bob sees the cluster under clusters shared meanwhile', () => {
    assert.deepEqual(parsed('bob', 'clusters', 'shared', '--json'), []);
    const none = run('bob', 'clusters', 'shared');
    assert.match(none.stdout, /Nobody has shared a cluster with you/);

    const granted = run('alice', 'share', 'grant', cluster, 'bob');
    assert.equal(granted.code, 0, granted.stderr);
    assert.match(granted.stdout, new RegExp(`Shared cluster ${cluster} with user bob: use`));
    const shared = parsed('bob', 'clusters', 'shared', '--json') as Array<Record<string, unknown>>;
    assert.deepEqual(
      shared.map((c) => [c['name'], c['username'], c['share_level']]),
      [[cluster, 'alice', 'use']]
    );
    const text = run('bob', 'clusters', 'shared');
    assert.match(text.stdout, /OWNER.*YOUR LEVEL/);
    assert.match(text.stdout, new RegExp(`${cluster}\\s+alice\\b.*\\buse\\b`));

    assert.equal(run('alice', 'share', 'grant', cluster, 'bob', '--level', 'manage').code, 0);
    assert.equal(run('alice', 'share', 'grant', cluster, 'physics', '--group').code, 0);
    const shares = parsed('alice', 'share', 'list', cluster, '--json') as Array<
      Record<string, unknown>
    >;
    assert.deepEqual(shares.map((s) => [s['kind'], s['principal'], s['level']]).sort(), [
      ['group', 'physics', 'use'],
      ['user', 'bob', 'manage'],
    ]);
    assert.match(run('alice', 'share', 'list', cluster).stdout, /user bob\s+manage\s+alice/);
    assert.equal(
      (parsed('bob', 'clusters', 'shared', '--json') as Array<Record<string, unknown>>)[0]?.[
        'share_level'
      ],
      'manage'
    );

    const revoked = run('alice', 'share', 'revoke', cluster, 'bob');
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(run('alice', 'share', 'revoke', cluster, 'physics', '--group').code, 0);
    assert.deepEqual(parsed('bob', 'clusters', 'shared', '--json'), []);
    assert.match(run('alice', 'share', 'list', cluster).stdout, /is not shared with anyone/);
  });

  it('refuses a foreign cluster, a revoked share again and a bad level', () => {
    const foreign = run('bob', 'share', 'grant', cluster, 'carol');
    assert.notEqual(foreign.code, 0, JSON.stringify(foreign));
    assert.match(foreign.stderr, /lacks permissions to share/);
    const again = run('alice', 'share', 'revoke', cluster, 'bob');
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /not shared with user bob/);
    const bad = run('alice', 'share', 'grant', cluster, 'bob', '--level', 'owner');
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /unknown level "owner"/);
  });
});
