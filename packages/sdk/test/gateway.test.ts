/**
 * The SDK against a real Gatehouse (the built CLI's `serve`, a subprocess) with real Dask
 * schedulers and workers: the seed workflow through events, the admin verbs, the three auth
 * strategies, and every error class produced by a real server response.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ClusterFailedError,
  ClusterNotRunningError,
  ForbiddenError,
  Gateway,
  GatehouseError,
  InvalidOptionsError,
  InvalidRequestError,
  NotFoundError,
  NotGrantedError,
  QuotaExceededError,
  ServerError,
  UnauthenticatedError,
  UnreachableError,
  basicAuth,
  jupyterHubAuth,
  tokenAuth,
  type ClusterEvent,
  type ClusterStatus,
} from '@gatehouse/sdk';
import { startGatehouse, testConfig, type GatehouseProcess } from './gatehouse-process.js';

/** Generous on two loaded cores: a cluster start can take tens of seconds. */
const TIMEOUT = 120_000;

/** Asserts that `p` rejects with an instance of `cls` and returns the error. */
async function rejectsWith<E extends GatehouseError>(
  p: Promise<unknown>,
  cls: abstract new (...args: never[]) => E
): Promise<E> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${cls.name}, but the call succeeded`);
}

/** Waits (with ?wait long-polls) until the cluster has `status`. */
async function waitForStatus(gw: Gateway, name: string, status: ClusterStatus) {
  const signal = AbortSignal.timeout(TIMEOUT);
  let c = await gw.getCluster(name);
  while (c.status !== status) {
    signal.throwIfAborted();
    c = await gw.getCluster(name, { wait: true, signal });
  }
  return c;
}

describe('SDK against a real Gatehouse', { timeout: 10 * TIMEOUT }, () => {
  let g: GatehouseProcess;
  let admin: Gateway;
  let alice: Gateway;
  const user = (name: string) => new Gateway({ address: g.url, auth: basicAuth(name) });

  before(async () => {
    g = await startGatehouse();
    admin = user('admin');
    alice = user('alice');
    await admin.admin.grant('alice');
  });
  after(async () => {
    await g.stop();
  });

  it('runs the seed workflow: options, new cluster, scale, workers through events, stop', async () => {
    const options = await alice.clusterOptions();
    assert.deepEqual(
      options.fields.map((f) => f.field),
      ['mode', 'size']
    );
    assert.equal(options.values['size'], 1);
    options.set('size', 2);

    const name = await alice.newCluster(options);
    const seen: ClusterEvent[] = [];
    const running = await alice.waitForRunning(name, {
      signal: AbortSignal.timeout(TIMEOUT),
      onEvent: (e) => seen.push(e),
    });
    assert.equal(running.status, 'RUNNING');
    assert.deepEqual(running.options, { mode: 'working', size: 2 });
    const types = seen.map((e) => e.type);
    assert.ok(types.includes('cluster.created'), types.join());
    assert.equal(types.at(-1), 'cluster.running');
    assert.ok(seen.every((e) => e.cluster === name && e.username === 'alice'));
    assert.ok(alice.dashboardUrl(running)?.startsWith(`${g.url}/clusters/${name}`));

    assert.deepEqual(await alice.scale(name, 2), { ok: true, msg: null });
    const workers = await alice.waitForWorkers(name, 2, { signal: AbortSignal.timeout(TIMEOUT) });
    assert.equal(workers, 2);

    const listed = await alice.listClusters();
    assert.deepEqual(
      listed.map((c) => [c.name, c.status]),
      [[name, 'RUNNING']]
    );
    const [adminView] = await admin.admin.clusters({ user: 'alice' });
    assert.deepEqual([adminView?.workers, adminView?.worker_cores], [2, 2]);
    const pool = await alice.pool();
    assert.ok(pool.your_machines >= 1, JSON.stringify(pool));
    const logs = await alice.logs(name, { tail: 50 });
    assert.equal(logs.processes[0]?.kind, 'scheduler');
    assert.equal(logs.processes.filter((p) => p.kind === 'worker').length, 2);

    await alice.stopCluster(name);
    await waitForStatus(alice, name, 'STOPPED');
    const recorded = (await alice.events(name)).map((e) => e.type);
    assert.ok(recorded.includes('worker.running'), recorded.join());
    assert.equal(recorded.at(-1), 'cluster.stopped');
    assert.deepEqual(await alice.listClusters(), []);
    assert.deepEqual(
      (await alice.listClusters({ status: 'STOPPED' })).map((c) => c.name),
      [name]
    );

    // Adapting a stopped cluster: cluster_not_running.
    const notRunning = await rejectsWith(alice.adapt(name, { maximum: 2 }), ClusterNotRunningError);
    assert.equal(notRunning.status, 409);
  });

  it('raises ClusterFailedError with the cause when the scheduler cannot start', async () => {
    const name = await alice.newCluster({ mode: 'broken' });
    const err = await rejectsWith(
      alice.waitForRunning(name, { signal: AbortSignal.timeout(TIMEOUT) }),
      ClusterFailedError
    );
    assert.equal(err.cluster, name);
    assert.equal(err.clusterStatus, 'FAILED');
    assert.match(err.logTail ?? '', /no scheduler today/);
    assert.match(err.message, new RegExp(`Cluster ${name} failed`));
  });

  it('maps each failure to its error class from the server code', async () => {
    const anonymous = new Gateway({ address: g.url });
    const e401 = await rejectsWith(anonymous.listClusters(), UnauthenticatedError);
    assert.equal(e401.status, 401);

    const e403 = await rejectsWith(user('bob').listClusters(), NotGrantedError);
    assert.equal(e403.code, 'not_granted');
    assert.match(e403.message, /has not been granted access/);

    const notAdmin = await rejectsWith(alice.admin.users(), ForbiddenError);
    assert.equal(notAdmin.code, 'forbidden');

    await rejectsWith(alice.getCluster('no-such-cluster'), NotFoundError);

    const badValue = await rejectsWith(alice.newCluster({ size: 5 }), InvalidOptionsError);
    assert.equal(badValue.field, 'size');
    assert.equal(badValue.status, 422);
    const unknown = await rejectsWith(alice.newCluster({ colour: 'red' }), InvalidOptionsError);
    assert.equal(unknown.field, 'colour');
    const offline = await alice.clusterOptions();
    assert.throws(() => offline.set('mode', 'sideways'), InvalidOptionsError);

    await admin.admin.grant('carol');
    const quota = await rejectsWith(user('carol').newCluster(), QuotaExceededError);
    assert.equal(quota.status, 422);

    const bogus = 'BOGUS' as ClusterStatus;
    const badRequest = await rejectsWith(
      alice.listClusters({ status: bogus }),
      InvalidRequestError
    );
    assert.equal(badRequest.code, 'invalid');

    await rejectsWith(
      new Gateway({ address: 'http://127.0.0.1:1', auth: basicAuth('alice') }).version(),
      UnreachableError
    );
  });

  it('raises ServerError when the gateway cannot reach its identity provider', async () => {
    const hubless = await startGatehouse((dir) => ({
      ...testConfig(dir),
      auth: { type: 'jupyterhub', api_url: 'http://127.0.0.1:1/hub/api', api_token: 'x' },
    }));
    try {
      const gw = new Gateway({ address: hubless.url, auth: jupyterHubAuth('some-hub-token') });
      const err = await rejectsWith(gw.listClusters(), ServerError);
      assert.equal(err.code, 'upstream_failure');
      assert.equal(err.status, 502);
    } finally {
      await hubless.stop();
    }
  });

  it('authenticates with admin-issued API tokens until they are revoked', async () => {
    const issued = await admin.admin.issueToken('alice', { label: 'ci' });
    const byToken = new Gateway({ address: g.url, auth: tokenAuth(issued.token) });
    assert.equal((await byToken.me()).name, 'alice');
    const listed = await admin.admin.tokens({ user: 'alice' });
    assert.ok(listed.some((t) => t.id === issued.info.id && t.label === 'ci'));
    await admin.admin.revokeToken(issued.info.id);
    await rejectsWith(byToken.me(), UnauthenticatedError);
    await rejectsWith(admin.admin.revokeToken(issued.info.id), NotFoundError);
  });

  it('runs the admin verbs: requests, approve, deny, quotas, users, usage, revoke', async () => {
    const dave = user('dave');
    const filed = await dave.requestAccess('for the course');
    assert.equal(filed.status, 'pending');
    const pending = await admin.admin.requests({ status: 'pending' });
    assert.ok(pending.some((r) => r.id === filed.id && r.message === 'for the course'));
    assert.equal((await admin.admin.approve(filed.id)).status, 'approved');
    assert.deepEqual(await dave.listClusters(), []);
    await rejectsWith(admin.admin.deny(filed.id), InvalidRequestError);

    const erin = user('erin');
    const denied = await admin.admin.deny((await erin.requestAccess()).id);
    assert.equal(denied.status, 'denied');
    await rejectsWith(erin.listClusters(), NotGrantedError);

    assert.equal((await admin.admin.setQuota('dave', { max_workers: 5 })).max_workers, 5);
    assert.equal((await admin.admin.quota('dave')).quota.max_workers, 5);
    await admin.admin.clearQuota('dave');
    assert.equal((await admin.admin.quota('dave')).quota.max_workers, null);

    const users = await admin.admin.users();
    assert.ok(users.some((u) => u.name === 'dave' && u.granted));
    await admin.admin.revoke('dave');
    await rejectsWith(dave.listClusters(), NotGrantedError);

    const usage = await admin.admin.usage({ days: 1 });
    assert.ok(
      usage.some((u) => u.username === 'alice' && u.core_hours > 0),
      JSON.stringify(usage)
    );
    const audit = await admin.admin.audit({ limit: 50 });
    assert.ok(audit.some((a) => a.action === 'approve access request' && a.target === 'dave'));
  });
});
