/**
 * The Kubernetes backend against a real API server (the cluster named by `GATEHOUSE_KUBECONFIG`,
 * an admin kubeconfig; skipped with the reason without it): a cluster's DaskCluster, Secret and
 * scheduler pod are created and owned, the worker count is kept from the informer cache, a
 * scheduler that cannot start is reported ended with the container's reason, and deleting the
 * DaskCluster garbage-collects the rest. Runs in a namespace of its own, deleted at the end.
 * @module
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  type V1CustomResourceDefinition,
  type V1Namespace,
} from '@kubernetes/client-node';
import { parse } from 'yaml';
import { pino } from 'pino';
import { testCluster } from '../../clusters/testing/test-cluster.js';
import type { BackendChange } from '../backend.js';
import type { Plain } from './extra-config.js';
import { KubeClient, loadKubeConfig, statusOf } from './kube-client.js';
import { KubernetesBackend } from './kubernetes-backend.js';
import type { ResolvedKubernetesBackend } from './kubernetes-config.js';
import { wireName } from './names.js';
import { PodLogs } from './pod-logs.js';
import { PodTracker } from './pod-tracker.js';

const KUBECONFIG = process.env['GATEHOUSE_KUBECONFIG'];
const skip =
  KUBECONFIG === undefined ? 'GATEHOUSE_KUBECONFIG names no running Kubernetes cluster' : false;
const ROOT = path.resolve(import.meta.dirname, '../../../../..');
const log = pino({ level: 'silent' });

/** Polls `f` until it is true (the API's state, which no event of ours announces). */
async function until(
  f: () => Promise<boolean> | boolean,
  what: string,
  ms = 90_000
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await f())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('kubernetes backend on a real API server', { skip }, () => {
  const ns = `gh-tsapi-${randomBytes(3).toString('hex')}`;
  const kc = loadKubeConfig(KUBECONFIG ?? null);
  const core = kc.makeApiClient(CoreV1Api);
  const client = new KubeClient(kc, ns);
  const changes: BackendChange[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-k8s-api-'));
  const logs = new PodLogs(dir, { maxBytes: 1 << 20, keep: 1 }, client, log);
  const tracker = new PodTracker({
    client,
    instance: 'gatehouse-ts',
    watchTimeout: 5,
    log,
    clock: { now: () => Date.now() },
    notify: (c) => changes.push(c),
    logs,
  });
  const config = {
    type: 'kubernetes',
    namespace: ns,
    instance: 'gatehouse-ts',
    api_url: 'http://10.88.0.1:1/api',
    image: 'localhost/k8s-local/base:1',
    image_pull_policy: 'IfNotPresent',
    pythonEnv: '/nonexistent-env',
    start_timeout: 300,
    scheduler_requests: { cpu: '10m', memory: '16Mi' },
    worker_requests: { cpu: '10m', memory: '16Mi' },
    scheduler_extra_pod_config: { terminationGracePeriodSeconds: 0 },
    worker_extra_pod_config: { terminationGracePeriodSeconds: 0 },
    scheduler_extra_container_config: {},
    worker_extra_container_config: {},
    tmp_size_limit: null,
    network_policy: { enabled: true, gateway_peers: [{ ipBlock: { cidr: '10.88.0.1/32' } }] },
  } as unknown as ResolvedKubernetesBackend;
  const backend = new KubernetesBackend({ config, client, tracker, logs, profiles: [], log });
  const c = testCluster({
    name: wireName(ns, randomBytes(16).toString('hex')),
    schedulerAddress: 'tls://10.88.0.9:8786',
  });

  before(async () => {
    const crd: unknown = parse(
      readFileSync(path.join(ROOT, 'deploy/kubernetes/crd-daskclusters.yaml'), 'utf8')
    );
    // The typed client sends only the fields its model names, under their JSON names: the
    // YAML's `x-kubernetes-preserve-unknown-fields` is the model's
    // `x_kubernetes_preserve_unknown_fields`, and without it the API server prunes every
    // field of a DaskCluster, its status included (kubectl apply, as the Python harness uses,
    // sends the YAML as it is).
    const body = crd as V1CustomResourceDefinition;
    for (const v of body.spec.versions) {
      const schema = v.schema?.openAPIV3Schema as Record<string, unknown> | undefined;
      if (schema?.['x-kubernetes-preserve-unknown-fields'] === true) {
        schema['x_kubernetes_preserve_unknown_fields'] = true;
      }
    }
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({ body }).catch((e: unknown) => {
      if (statusOf(e) !== 409) throw e;
    });
    const namespace: Plain<V1Namespace> = { metadata: { name: ns } };
    await core.createNamespace({ body: namespace });
    await until(
      async () =>
        await client.listClusters('x=y').then(
          () => true,
          () => false
        ),
      'the CRD'
    );
    await tracker.start();
  });

  /** The DaskCluster `id` as the API server has it. */
  const daskCluster = async (id: string) =>
    (await client.custom.getNamespacedCustomObject({
      group: 'gateway.dask.org',
      version: 'v1alpha1',
      namespace: ns,
      plural: 'daskclusters',
      name: id,
    })) as { metadata: { uid: string }; status?: Record<string, string> };

  after(async () => {
    await backend.close();
    await core.deleteNamespace({ name: ns });
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the owned objects, keeps the worker count, reports the failed start, GC at stop', async () => {
    const state = await backend.startCluster(c, {
      apiUrl: 'x',
      dashboardPrefix: '/p',
      heartbeatPeriod: 1,
    });
    const id = c.name.split('.')[1] ?? '';
    const uid = (state as { uid?: string }).uid;
    assert.equal(typeof uid, 'string');
    assert.notEqual(
      backend.observe(c, null).phase,
      'absent',
      'just created: known before the watch shows it'
    );
    const pods = await core.listNamespacedPod({ namespace: ns });
    const secret = await core.readNamespacedSecret({
      name: `dask-credentials-${id}`,
      namespace: ns,
    });
    for (const o of [...pods.items, secret]) {
      assert.equal(o.metadata?.ownerReferences?.[0]?.uid, uid);
      assert.equal(o.metadata?.labels?.['gateway.dask.org/cluster'], id);
    }
    // The image has no Python at that path: the scheduler ends at once with the container's reason.
    await until(
      () => backend.observe(c, null).phase === 'exited',
      'the scheduler to be seen ended'
    );
    const ended = backend.observe(c, null);
    assert.ok(
      ended.phase === 'exited' && /StartError|exit code/.test(ended.how),
      JSON.stringify(ended)
    );
    assert.ok(changes.some((x) => x.clusterName === c.name && x.workerName === null));
    assert.match(logs.tail(c, null, 5), /\[gatehouse\] pod dask-scheduler-.* ended: /);

    await backend.setWorkerCount(c, 2);
    assert.equal(backend.observeWorkers(c).acknowledged, 2);
    assert.equal(backend.observeWorkers(c).workers.filter((w) => w.phase !== 'exited').length, 2);
    await until(() => tracker.workerPods(c.name).length === 2, 'two worker pods in the cache');
    await backend.setWorkerCount(c, 2); // idempotent: no third pod
    assert.equal(
      (
        await core.listNamespacedPod({
          namespace: ns,
          labelSelector: 'app.kubernetes.io/component=dask-worker',
        })
      ).items.length,
      2
    );

    await backend.stopCluster(c);
    await until(
      async () => (await core.listNamespacedPod({ namespace: ns })).items.length === 0,
      'GC of the pods'
    );
    await until(
      async () =>
        (
          await core.listNamespacedSecret({
            namespace: ns,
            labelSelector: 'app.kubernetes.io/name=dask-gateway',
          })
        ).items.length === 0,
      'GC of the secret'
    );
  });

  it('a running scheduler: its pod IP is the heartbeat host, the status says Running, a policy', async () => {
    const base = testCluster().config;
    // busybox's sh stands in for the scheduler: the pod runs, and nothing else is tested here.
    const config = { ...base, scheduler_cmd: ['/bin/sh', '-c', 'exec sleep 600'] };
    const r = testCluster({ name: wireName(ns, randomBytes(16).toString('hex')), config });
    const id = r.name.split('.')[1] ?? '';
    await backend.startCluster(r, { apiUrl: 'x', dashboardPrefix: '/p', heartbeatPeriod: 1 });
    assert.equal(backend.schedulerHost(r), '', 'no IP yet: every address is refused');
    await until(() => backend.observe(r, null).phase === 'running', 'the scheduler pod to run');
    const pod = await core.readNamespacedPod({ name: `dask-scheduler-${id}`, namespace: ns });
    await until(() => backend.schedulerHost(r) !== '', 'the pod IP in the cache');
    assert.equal(backend.schedulerHost(r), pod.status?.podIP);
    await until(
      async () => (await daskCluster(id)).status?.['phase'] === 'Running',
      'the DaskCluster status to say Running'
    );
    const cr = await daskCluster(id);
    assert.equal(cr.status?.['credentials'], `dask-credentials-${id}`);
    const [policy] = (
      await client.networking.listNamespacedNetworkPolicy({
        namespace: ns,
        labelSelector: `gateway.dask.org/cluster=${id}`,
      })
    ).items;
    assert.ok(policy !== undefined, 'a NetworkPolicy of the cluster');
    assert.equal(policy.metadata?.ownerReferences?.[0]?.uid, cr.metadata.uid);
    assert.deepEqual(
      policy.spec?.ingress?.map((x) => x.ports?.map((p) => p.port)),
      [undefined, [8786, 8787, 8788]]
    );
    await backend.stopCluster(r);
  });

  it('a worker pod the API refuses (422) ends with the API message, and is not retried', async () => {
    const refusing = new KubernetesBackend({
      config: { ...config, worker_extra_pod_config: { activeDeadlineSeconds: -5 } },
      client,
      tracker,
      logs,
      profiles: [],
      log,
    });
    const r = testCluster({ name: wireName(ns, randomBytes(16).toString('hex')) });
    await refusing.startCluster(r, { apiUrl: 'x', dashboardPrefix: '/p', heartbeatPeriod: 1 });
    await refusing.setWorkerCount(r, 1);
    const [first] = refusing.observeWorkers(r).workers;
    assert.ok(first !== undefined);
    assert.equal(first.phase, 'queued', 'reported once, so that it is recorded');
    const [then] = refusing.observeWorkers(r).workers;
    assert.ok(then !== undefined);
    assert.equal(then.phase, 'exited');
    assert.match(then.how ?? '', /rejected by the API: HTTP 422: .*activeDeadlineSeconds/);
    assert.ok(changes.some((x) => x.workerName === then.name));
    await refusing.stopCluster(r);
  });
});
