/**
 * Security review (issue 22 sharing). 1) `GET /api/v1/clusters/{id}?wait` checks the share when the
 * long poll starts, not when it answers. A sharer who starts a long poll on a PENDING cluster
 * (no TLS credentials yet: they are given only while RUNNING) and is revoked meanwhile gets the
 * cluster's TLS certificate and key when it starts running, after the revocation; with them they
 * can connect to the scheduler until the owner restarts the cluster (docs/sharing.md).
 * In-process gateway, local backend with an inert `sleep` scheduler; the test sends the
 * scheduler's heartbeat itself. 2) A `use` sharer reads the owner's environment variable values
 * unmasked in GET /api/v1/clusters/{id} (options), even while the cluster is PENDING or STOPPED.
 * @module
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startInProcessGateway, type InProcessGateway } from './in-process-gateway.js';
import { INERT_LOCAL_BACKEND } from '../src/clusters/testing/inert-local-backend.js';

const basic = (user: string) => `Basic ${Buffer.from(`${user}:any-password`).toString('base64')}`;

describe('a share revoked during a long poll (review)', () => {
  let g: InProcessGateway | undefined;
  after(async () => {
    await g?.stop();
  });

  it('gives no TLS credentials to a user whose share was revoked while waiting', async () => {
    g = await startInProcessGateway({
      prefix: 'gatehouse-share-poll-',
      values: {
        stop_clusters_on_shutdown: true,
        ...INERT_LOCAL_BACKEND,
      },
    });
    const url = g.gateway.url;
    const as = (user: string) => ({ authorization: basic(user) });
    const json = { 'content-type': 'application/json' };

    const created = await fetch(`${url}/api/v1/clusters/`, {
      method: 'POST',
      headers: { ...as('alice'), ...json },
      body: JSON.stringify({ cluster_options: {} }),
    });
    assert.equal(created.status, 201, await created.clone().text());
    const { name } = (await created.json()) as { name: string };

    const shared = await fetch(`${url}/api/v1/clusters/${name}/shares/user/bob`, {
      method: 'PUT',
      headers: { ...as('alice'), ...json },
      body: JSON.stringify({ level: 'use' }),
    });
    assert.equal(shared.status, 200, await shared.text());

    // Bob's long poll starts while the share holds and the cluster is PENDING.
    const poll = fetch(`${url}/api/v1/clusters/${name}?wait`, { headers: as('bob') });
    await new Promise((r) => setTimeout(r, 300));

    const revoked = await fetch(`${url}/api/v1/clusters/${name}/shares/user/bob`, {
      method: 'DELETE',
      headers: as('alice'),
    });
    assert.equal(revoked.status, 204, await revoked.text());
    const now = await fetch(`${url}/api/v1/clusters/${name}`, { headers: as('bob') });
    assert.equal(now.status, 403, 'the revocation holds for new requests');

    // The scheduler reports in: the cluster runs.
    const c = g.gateway.manager.get(name);
    assert.ok(c !== undefined);
    const hb = await fetch(`${url}/api/v1/clusters/${name}/heartbeat`, {
      method: 'POST',
      headers: { authorization: `token ${c.token}`, ...json },
      body: JSON.stringify({
        scheduler_address: 'tls://127.0.0.1:1',
        dashboard_address: '127.0.0.1:2',
        api_address: '127.0.0.1:3',
        count: 0,
        active_workers: [],
        closing_workers: [],
        closed_workers: [],
      }),
    });
    assert.equal(hb.status, 200, await hb.text());

    const answer = await poll;
    const body = (await answer.json()) as { status?: string; tls_key?: string | null };
    assert.ok(
      answer.status !== 200 || body.tls_key === null || body.tls_key === undefined,
      `revoked sharer got ${String(answer.status)} status=${String(body.status)} with the cluster's TLS key`
    );
  });

  it("does not show a `use` sharer the owner's environment variable values", async () => {
    const h = await startInProcessGateway({
      prefix: 'gatehouse-share-env-',
      values: {
        stop_clusters_on_shutdown: true,
        environment_variables: { enabled: true },
        ...INERT_LOCAL_BACKEND,
      },
    });
    try {
      const url = h.gateway.url;
      const as = (user: string) => ({ authorization: basic(user) });
      const json = { 'content-type': 'application/json' };
      const created = await fetch(`${url}/api/v1/clusters/`, {
        method: 'POST',
        headers: { ...as('alice'), ...json },
        body: JSON.stringify({
          cluster_options: { environment_vars: { AWS_SECRET_ACCESS_KEY: 'alice-s3cr3t' } },
        }),
      });
      assert.equal(created.status, 201, await created.clone().text());
      const { name } = (await created.json()) as { name: string };
      const shared = await fetch(`${url}/api/v1/clusters/${name}/shares/user/bob`, {
        method: 'PUT',
        headers: { ...as('alice'), ...json },
        body: JSON.stringify({ level: 'use' }),
      });
      assert.equal(shared.status, 200, await shared.text());
      // The cluster is PENDING: bob cannot run code on it, and gets no TLS credentials.
      const r = await fetch(`${url}/api/v1/clusters/${name}`, { headers: as('bob') });
      const text = await r.text();
      assert.equal(r.status, 200, text);
      const list = await fetch(`${url}/api/v1/me/shared-clusters`, { headers: as('bob') });
      const listText = await list.text();
      assert.ok(!listText.includes('alice-s3cr3t'), 'the shared-with-me view masks it');
      assert.ok(!text.includes('alice-s3cr3t'), `GET /api/v1/clusters/{id} as bob: ${text}`);
    } finally {
      await h.stop();
    }
  });
});
