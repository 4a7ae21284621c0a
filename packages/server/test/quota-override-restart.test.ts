/**
 * Quota overrides an admin sets hold across a restart: a gateway on the same SQLite file starts
 * again and applies the user's and the group's override (issue 16, admin quotas in the web UI).
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/gateway.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-quota-restart-'));

function start(): Promise<Gateway> {
  const config = loadConfig({
    values: {
      listen: '127.0.0.1:0',
      data_dir: dir,
      access: {
        admin_users: ['admin'],
        grant_all_authenticated: true,
        bootstrap_admin_token: false,
      },
    },
    env: {},
    defaultPythonEnv: path.join(dir, 'no-env'),
  });
  return startGateway(config, { log: pino({ level: 'silent' }), env: process.env });
}

/** `method path` as the admin with a JSON body; the status and the parsed answer. */
async function admin(g: Gateway, method: string, p: string, body?: unknown) {
  const r = await fetch(`${g.url}${p}`, {
    method,
    headers: {
      Authorization: `Basic ${Buffer.from('admin:').toString('base64')}`,
      'Content-Type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

describe('quota overrides after a restart', () => {
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts again and applies the user and group overrides', async () => {
    const first = await start();
    try {
      const set = await admin(first, 'PUT', '/api/v1/admin/quotas/alice', {
        max_clusters: 2,
        max_memory: '16 G',
      });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const g = await admin(first, 'PUT', '/api/v1/admin/group-quotas/physics', {
        max_workers: 3,
      });
      assert.equal(g.status, 200, JSON.stringify(g.body));
    } finally {
      await first.stop();
    }
    const second = await start();
    try {
      const q = await admin(second, 'GET', '/api/v1/admin/quotas/alice');
      const quota = (q.body as { quota: Record<string, unknown> }).quota;
      assert.deepEqual([quota['max_clusters'], quota['max_memory']], [2, 16 * 2 ** 30]);
      const groups = (await admin(second, 'GET', '/api/v1/admin/group-quotas')).body as Array<{
        group: string;
        source: string | null;
      }>;
      assert.equal(groups.find((x) => x.group === 'physics')?.source, 'admin');
    } finally {
      await second.stop();
    }
  });
});
