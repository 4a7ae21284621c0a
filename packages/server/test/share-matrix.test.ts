/**
 * The authorization matrix of a shared cluster (issue 22): every route on one user's cluster ×
 * the share identities (the owner; a `use` share; a `manage` share; a share since revoked; a
 * `use` share with a group of the caller; a stranger) → the status each must get, and the audit
 * log and events afterwards: every API and dashboard use by a non-owner is in the audit log
 * (`use shared cluster`) and, once per kind, in the cluster's events (`cluster.shared_use`);
 * nothing of those refused is in either.
 *
 * Groups come from the authenticator, so this gateway authenticates with JupyterHub: a fake hub
 * (a local HTTP server answering `GET /user`) maps each token to the user of that name, `gail`
 * in the group `physics`. One real gateway in this process (in-memory store, local backend)
 * with a real Dask cluster, so scale and adapt reach a live scheduler. (The main matrix,
 * authorization-matrix.test.ts, keeps its Basic callers and B's shared rows.)
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/gateway.js';

/** The callers (columns). */
const WHO = ['owner', 'useShare', 'manageShare', 'revokedShare', 'groupShare', 'stranger'] as const;
type Who = (typeof WHO)[number];
const USER: Readonly<Record<Who, string>> = {
  owner: 'olga',
  useShare: 'ursula',
  manageShare: 'max',
  revokedShare: 'rex',
  groupShare: 'gail',
  stranger: 'sam',
};

interface Row {
  readonly method: string;
  readonly path: (c: string) => string;
  readonly body?: unknown;
  /** One status per caller in WHO order; null: not sent. */
  readonly expect: readonly (number | null)[];
}

// prettier-ignore
const ROWS: Readonly<Record<string, Row>> = {
  //                                                                    own  use  man  rev  grp  str
  'GET /api/v1/clusters/:id':         { method: 'GET', path: (c) => `/api/v1/clusters/${c}`, expect: [200, 200, 200, 403, 200, 403] },
  'GET /api/v1/me/clusters/:id':      { method: 'GET', path: (c) => `/api/v1/me/clusters/${c}`, expect: [200, 200, 200, 404, 200, 404] },
  'GET /api/v1/clusters/:id/events':  { method: 'GET', path: (c) => `/api/v1/clusters/${c}/events`, expect: [200, 200, 200, 403, 200, 403] },
  'GET /api/v1/clusters/:id/logs':    { method: 'GET', path: (c) => `/api/v1/clusters/${c}/logs`, expect: [200, 200, 200, 403, 200, 403] },
  'POST /api/v1/clusters/:id/scale':  { method: 'POST', path: (c) => `/api/v1/clusters/${c}/scale`, body: { count: 0 }, expect: [200, 403, 200, 403, 403, 403] },
  'POST /api/v1/clusters/:id/adapt':  { method: 'POST', path: (c) => `/api/v1/clusters/${c}/adapt`, body: { active: false }, expect: [200, 403, 200, 403, 403, 403] },
  'GET dashboard-auth/:id':           { method: 'GET', path: (c) => `/api/proxy/dashboard-auth/${c}`, expect: [204, 204, 204, 403, 204, 403] },
  'GET .../shares':                   { method: 'GET', path: (c) => `/api/v1/clusters/${c}/shares`, expect: [200, 403, 403, 403, 403, 403] },
  'PUT .../shares/user/zoe':          { method: 'PUT', path: (c) => `/api/v1/clusters/${c}/shares/user/zoe`, body: { level: 'use' }, expect: [200, 403, 403, 403, 403, 403] },
  'DELETE .../shares/user/yann':      { method: 'DELETE', path: (c) => `/api/v1/clusters/${c}/shares/user/yann`, expect: [204, 403, 403, 403, 403, 403] },
  // The manage sharer stops it, after every other cell (the owner's own stop is elsewhere).
  'DELETE /api/v1/clusters/:id':      { method: 'DELETE', path: (c) => `/api/v1/clusters/${c}`, expect: [null, 403, 204, 403, 403, 403] },
};

/** A fake JupyterHub: the token is the user's name; gail is in `physics`. */
function fakeHub(): Promise<Server> {
  const hub = createServer((req, res) => {
    const name = /^token (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        kind: 'user',
        name,
        admin: false,
        groups: name === 'gail' ? ['physics'] : [],
        scopes: ['access:services!service=dask-gateway'],
      })
    );
  });
  return new Promise((resolve) =>
    hub.listen(0, '127.0.0.1', () => {
      resolve(hub);
    })
  );
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const as = (user: string) => ({ authorization: `jupyterhub ${user}` });

describe('authorization matrix of a shared cluster', { timeout: 120_000 }, () => {
  let hub: Server | undefined;
  let gateway: Gateway | undefined;
  let dataDir = '';
  let cluster = '';
  const send = async (user: string, method: string, p: string, body?: unknown) => {
    assert.ok(gateway !== undefined);
    const res = await fetch(`${gateway.url}${p}`, {
      method,
      headers: {
        ...as(user),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
  };
  const ok = async (user: string, method: string, p: string, status: number, body?: unknown) => {
    const r = await send(user, method, p, body);
    assert.equal(r.status, status, `setup: ${user} ${method} ${p}: ${JSON.stringify(r.body)}`);
    return r.body;
  };

  before(async () => {
    hub = await fakeHub();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-share-matrix-'));
    const config = loadConfig({
      values: {
        listen: '127.0.0.1:0',
        store: { url: 'sqlite::memory:' },
        stop_clusters_on_shutdown: true,
        data_dir: dataDir,
        auth: {
          type: 'jupyterhub',
          api_url: `http://127.0.0.1:${String((hub.address() as AddressInfo).port)}/hub/api`,
          api_token: 'service-token',
          service_name: 'dask-gateway',
        },
        access: {
          grant_all_authenticated: true,
          bootstrap_admin_token: false,
          admin_users: ['admin'],
        },
      },
      env: {},
      defaultPythonEnv: path.join(repoRoot, '.venv'),
    });
    gateway = await startGateway(config, { log: pino({ level: 'silent' }), env: process.env });
    const created = (await ok('olga', 'POST', '/api/v1/clusters/', 201, {})) as { name: string };
    cluster = created.name;
    const share = (kind: string, who: string, level: string) =>
      ok('olga', 'PUT', `/api/v1/clusters/${cluster}/shares/${kind}/${who}`, 200, { level });
    await share('user', 'ursula', 'use');
    await share('user', 'max', 'manage');
    await share('user', 'rex', 'manage');
    await share('group', 'physics', 'use');
    await share('user', 'yann', 'use');
    await ok('olga', 'DELETE', `/api/v1/clusters/${cluster}/shares/user/rex`, 204);
    for (;;) {
      const c = (await ok('olga', 'GET', `/api/v1/clusters/${cluster}?wait`, 200)) as {
        status: string;
      };
      if (c.status === 'RUNNING') break;
      assert.equal(c.status, 'PENDING', 'setup: the cluster did not start');
    }
  });

  after(async () => {
    await gateway?.stop();
    hub?.close();
    if (dataDir !== '') rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the cluster under shared-clusters for the use, manage and group sharers only', async () => {
    for (const who of WHO) {
      const list = (await ok(USER[who], 'GET', '/api/v1/me/shared-clusters', 200)) as Array<{
        name: string;
        share_level: string;
      }>;
      const want = { useShare: 'use', manageShare: 'manage', groupShare: 'use' }[who as string];
      assert.deepEqual(
        list.map((c) => [c.name, c.share_level]),
        want === undefined ? [] : [[cluster, want]],
        who
      );
    }
  });

  it('answers every caller of every route as expected', async () => {
    const cells = Object.entries(ROWS).flatMap(([row, r]) =>
      WHO.map((who, i) => ({ row, r, who, expected: r.expect[i] ?? null }))
    );
    // Refusals first (they change nothing), then the owner's cells, the manage stop last.
    const rank = (c: (typeof cells)[number]) =>
      c.expected === 403 || c.expected === 404
        ? 0
        : c.r.method === 'DELETE' && c.row.endsWith(':id')
          ? 2
          : 1;
    const wrong: string[] = [];
    for (const c of cells.sort((a, b) => rank(a) - rank(b))) {
      if (c.expected === null) continue;
      const got = await send(USER[c.who], c.r.method, c.r.path(cluster), c.r.body);
      if (got.status !== c.expected)
        wrong.push(`${c.row} as ${c.who}: ${String(got.status)}, expected ${String(c.expected)}`);
    }
    assert.deepEqual(wrong, []);
  });

  it('has every use by a sharer in the audit log, and nothing of the refused ones', async () => {
    const audit = (await ok('admin', 'GET', '/api/v1/admin/audit?limit=10000', 200)) as Array<{
      actor: string;
      action: string;
      target: string;
      detail: string;
    }>;
    const uses = (user: string) =>
      audit
        .filter((a) => a.action === 'use shared cluster' && a.actor === user)
        .map((a) => `${a.target} ${a.detail.split(' ')[0] ?? ''}`)
        .sort();
    const on = (...what: string[]) => what.map((w) => `${cluster} ${w}`).sort();
    assert.deepEqual([...new Set(uses('ursula'))], on('dashboard', 'events', 'logs', 'view'));
    assert.deepEqual([...new Set(uses('gail'))], on('dashboard', 'events', 'logs', 'view'));
    assert.deepEqual(
      [...new Set(uses('max'))],
      on('adapt', 'dashboard', 'events', 'logs', 'scale', 'stop', 'view')
    );
    assert.deepEqual(uses('rex'), []);
    assert.deepEqual(uses('sam'), []);
    assert.deepEqual(uses('olga'), []);
  });

  it("has the first use of each kind by each sharer in the cluster's events, as its actor", async () => {
    const { events } = (await ok('olga', 'GET', `/api/v1/clusters/${cluster}/events`, 200)) as {
      events: Array<{ type: string; actor: string; data: { action?: string; level?: string } }>;
    };
    const used = (user: string) =>
      events
        .filter((e) => e.type === 'cluster.shared_use' && e.actor === user)
        .map((e) => `${e.data.action ?? ''} ${e.data.level ?? ''}`)
        .sort();
    assert.deepEqual(used('ursula'), ['dashboard use', 'events use', 'logs use', 'view use']);
    assert.deepEqual(used('gail'), ['dashboard use', 'events use', 'logs use', 'view use']);
    assert.deepEqual(
      used('max'),
      ['adapt', 'dashboard', 'events', 'logs', 'scale', 'stop', 'view'].map((a) => `${a} manage`)
    );
    for (const user of ['rex', 'sam', 'olga']) assert.deepEqual(used(user), [], user);
  });
});
