/**
 * The admin loop of issue 16 against one real gateway (default deny, in-memory store): a user's
 * access request stays visible on `GET /api/v1/me` after a reload with the configured contact,
 * an admin's denial carries a reason the user then reads, granting a user who filed no request
 * works, the users table says how each user is let in, and group quotas are listed with their
 * source, overridden by an admin and returned to the config's.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/gateway.js';

describe('admin loop (issue 16)', () => {
  let gateway: Gateway;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-admin-loop-'));
    const config = loadConfig({
      values: {
        listen: '127.0.0.1:0',
        data_dir: dir,
        store: { url: 'sqlite::memory:' },
        access: {
          admin_users: ['admin'],
          grant_groups: ['physics'],
          contact: 'help@example.org',
          bootstrap_admin_token: false,
        },
        quotas: { groups: { physics: { max_workers: 8 } } },
      },
      env: {},
      defaultPythonEnv: path.join(dir, 'no-env'),
    });
    gateway = await startGateway(config, { log: pino({ level: 'silent' }), env: process.env });
  });

  after(async () => {
    await gateway.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A JSON request as `user` (Basic, empty password); the status and the parsed body. */
  async function call(
    user: string,
    method: string,
    p: string,
    body?: unknown
  ): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {
      Authorization: `Basic ${Buffer.from(`${user}:`).toString('base64')}`,
    };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(`${gateway.url}${p}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await r.text();
    return { status: r.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  }
  const json = async (user: string, method: string, p: string, body?: unknown) => {
    const r = await call(user, method, p, body);
    assert.ok(r.status < 300, `${method} ${p}: ${String(r.status)} ${JSON.stringify(r.body)}`);
    return r.body as Record<string, unknown>;
  };

  it('keeps the request on /me, and shows the reason of a denial and the contact', async () => {
    const before = await json('dora', 'GET', '/api/v1/me');
    assert.equal(before['contact'], 'help@example.org');
    assert.equal(before['access_request'], null);
    const filed = await json('dora', 'POST', '/api/v1/access-requests', { message: 'thesis' });
    const pending = (await json('dora', 'GET', '/api/v1/me'))['access_request'] as {
      id: number;
      status: string;
    };
    assert.deepEqual([pending.id, pending.status], [filed['id'], 'pending']);
    await json('admin', 'POST', `/api/v1/admin/requests/${String(filed['id'])}/deny`, {
      reason: 'ask your supervisor first',
    });
    const denied = (await json('dora', 'GET', '/api/v1/me'))['access_request'] as {
      status: string;
      reason: string | null;
    };
    assert.deepEqual(denied, { ...denied, status: 'denied', reason: 'ask your supervisor first' });
    // A denial without a body still works (positive control of the optional body).
    const eve = await json('eve', 'POST', '/api/v1/access-requests', {});
    const plain = await json('admin', 'POST', `/api/v1/admin/requests/${String(eve['id'])}/deny`);
    assert.equal(plain['reason'], null);
    const bad = await call('admin', 'POST', `/api/v1/admin/requests/${String(eve['id'])}/deny`, {
      reason: 5,
    });
    assert.equal(bad.status, 422);
  });

  it('grants a user who filed no request, and says how each user is let in', async () => {
    assert.equal((await call('grace', 'GET', '/api/v1/pool')).status, 403);
    assert.equal((await call('admin', 'PUT', '/api/v1/admin/grants/grace')).status, 204);
    assert.equal((await call('grace', 'GET', '/api/v1/pool')).status, 200);
    const users = (await json('admin', 'GET', '/api/v1/admin/users')) as unknown as Array<{
      name: string;
      granted_by: string | null;
      groups: string[];
      core_hours_30d: number;
    }>;
    const grace = users.find((u) => u.name === 'grace');
    assert.deepEqual(grace, { ...grace, granted_by: 'grant', groups: [], core_hours_30d: 0 });
    const dora = users.find((u) => u.name === 'dora');
    assert.equal(dora?.granted_by, null);
  });

  it('lists group quotas with their source, and overrides and restores them', async () => {
    type Group = { group: string; quota: Record<string, unknown>; source: string | null };
    const list = async () =>
      (await json('admin', 'GET', '/api/v1/admin/group-quotas')) as unknown as Group[];
    assert.deepEqual(
      (await list()).find((g) => g.group === 'physics'),
      {
        group: 'physics',
        quota: { max_workers: 8 },
        source: 'config',
        config_quota: { max_workers: 8 },
      }
    );
    const set = await json('admin', 'PUT', '/api/v1/admin/group-quotas/physics', {
      max_workers: 2,
      max_cores: null,
    });
    assert.deepEqual([set['quota'], set['source']], [{ max_workers: 2, max_cores: null }, 'admin']);
    const chem = await json('admin', 'PUT', '/api/v1/admin/group-quotas/chemistry', {
      max_clusters: 1,
    });
    assert.equal(chem['source'], 'admin');
    assert.equal((await call('admin', 'DELETE', '/api/v1/admin/group-quotas/physics')).status, 204);
    const back = (await list()).find((g) => g.group === 'physics');
    assert.deepEqual([back?.quota, back?.source], [{ max_workers: 8 }, 'config']);
    const bad = await call('admin', 'PUT', '/api/v1/admin/group-quotas/physics', { nope: 1 });
    assert.equal(bad.status, 422);
  });
});
