import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterJson } from '@gatehouse/api';
import { ClusterFailedError } from './errors.js';
import { Gateway } from './gateway.js';

/** A fake server without event routes: the cluster runs after `steps` long-polls. */
function fakeFetch(statuses: ClusterJson['status'][]) {
  const seen: string[] = [];
  const cluster = (status: ClusterJson['status']): ClusterJson => ({
    name: 'c1',
    dashboard_route: null,
    status,
    start_time: 1,
    stop_time: null,
    options: {},
    tls_cert: null,
    tls_key: null,
  });
  let i = 0;
  const fetchFn = (url: string) => {
    seen.push(url.replace('http://gw', ''));
    const json = (status: number, body: unknown) =>
      Promise.resolve(
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json' },
        })
      );
    if (url.includes('/events')) return json(404, { error: 'Not Found', code: 'not_found' });
    const status = statuses[Math.min(i, statuses.length - 1)] ?? 'PENDING';
    if (url.includes('wait=1')) i++;
    return json(200, cluster(status));
  };
  return { fetchFn, seen };
}

describe('waitForRunning without events', () => {
  it('falls back to ?wait long-polls', async () => {
    const { fetchFn, seen } = fakeFetch(['PENDING', 'PENDING', 'RUNNING']);
    const gw = new Gateway({ address: 'http://gw', fetch: fetchFn });
    const c = await gw.waitForRunning('c1');
    assert.equal(c.status, 'RUNNING');
    assert.ok(seen.includes('/api/v1/clusters/c1/events'));
    assert.ok(seen.filter((u) => u.endsWith('?wait=1')).length >= 2, seen.join('\n'));
  });

  it('raises ClusterFailedError when the cluster fails instead', async () => {
    const { fetchFn } = fakeFetch(['PENDING', 'STOPPING', 'FAILED']);
    const gw = new Gateway({ address: 'http://gw', fetch: fetchFn });
    await assert.rejects(gw.waitForRunning('c1'), (err: unknown) => {
      assert.ok(err instanceof ClusterFailedError);
      assert.equal(err.clusterStatus, 'FAILED');
      return true;
    });
  });
});
