/**
 * Group quotas hold across a restart: a user's groups come from the hub on their requests, and
 * a restarted gateway must still clamp their clusters' heartbeats by the group quota before the
 * user sends anything. Real gateways in this process on one SQLite file, a fake JupyterHub (a
 * local HTTP server answering `GET /user`), and inert `sleep` schedulers and workers.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import { INERT_LOCAL_BACKEND } from '../src/clusters/testing/inert-local-backend.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-groups-'));
const quiet = pino({ level: 'silent' });

/** A fake hub: every token belongs to ann, member of the group `small`. */
function fakeHub(): Promise<Server> {
  const hub = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        kind: 'user',
        name: 'ann',
        admin: false,
        groups: ['small'],
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

function config(hubPort: number) {
  return loadConfig({
    values: {
      listen: '127.0.0.1:0',
      data_dir: dir,
      stop_clusters_on_shutdown: false,
      auth: {
        type: 'jupyterhub',
        api_url: `http://127.0.0.1:${String(hubPort)}/hub/api`,
        api_token: 'service-token',
        service_name: 'dask-gateway',
      },
      access: { grant_all_authenticated: true, bootstrap_admin_token: false },
      quotas: { groups: { small: { max_workers: 1 } } },
      // Its heartbeats are sent by the test, not a scheduler on a cluster address of its own.
      ...INERT_LOCAL_BACKEND,
    },
    env: {},
    defaultPythonEnv: '/nonexistent',
  });
}

/** Sends a heartbeat asking for `count` workers, as the cluster's scheduler would. */
async function heartbeat(g: Gateway, name: string, count: number): Promise<void> {
  const c = g.manager.get(name);
  assert.ok(c !== undefined);
  const res = await fetch(`${g.url}/api/v1/clusters/${name}/heartbeat`, {
    method: 'POST',
    headers: { authorization: `token ${c.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      scheduler_address: 'tls://127.0.0.1:1',
      dashboard_address: '127.0.0.1:2',
      api_address: '127.0.0.1:3',
      count,
      active_workers: [],
      closing_workers: [],
      closed_workers: [],
    }),
  });
  assert.equal(res.status, 200, await res.text());
}

describe('group quotas after a restart', () => {
  let hub: Server | undefined;
  after(() => {
    hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('clamp heartbeats by the group quota before the user sends a request', async () => {
    hub = await fakeHub();
    const hubPort = (hub.address() as AddressInfo).port;
    const first = await startGateway(config(hubPort), { log: quiet });
    let name: string;
    try {
      const res = await fetch(`${first.url}/api/v1/clusters/`, {
        method: 'POST',
        headers: { authorization: 'jupyterhub ann-token', 'content-type': 'application/json' },
        body: '{}',
      });
      assert.equal(res.status, 201);
      name = ((await res.json()) as { name: string }).name;
      await first.manager.idle();
      await heartbeat(first, name, 3);
      assert.equal(first.manager.get(name)?.count, 1, 'the group quota clamps before a restart');
    } finally {
      await first.stop();
    }
    const second = await startGateway(config(hubPort), { log: quiet });
    try {
      await heartbeat(second, name, 3);
      assert.equal(second.manager.get(name)?.count, 1, 'and after it, with no user request');
    } finally {
      const c = second.manager.get(name);
      if (c !== undefined) await second.manager.stop(c, 'user');
      await second.manager.idle();
      await second.stop();
    }
  });
});
