/**
 * Tests for the objects a cluster is made of on Kubernetes: upstream's names and labels, owner
 * references, the credentials Secret, the environment (token as a file, names from the
 * downward API), the restrictive security context, resources and the extra config merge.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { testCluster } from '../../clusters/testing/test-cluster.js';
import { mergeExtra } from './extra-config.js';
import { clusterId, clusterLabels, instanceSelector, wireName } from './names.js';
import {
  credentialsSecret,
  daskClusterObject,
  schedulerPod,
  workerPod,
  type PodSettings,
} from './pod-spec.js';

const S: PodSettings = {
  namespace: 'ns1',
  instance: 'gatehouse',
  image: 'localhost/k8s-local/base:1',
  image_pull_policy: 'IfNotPresent',
  pythonEnv: '/opt/env',
  scheduler_extra_pod_config: {},
  worker_extra_pod_config: {},
  scheduler_extra_container_config: {},
  worker_extra_container_config: {},
  scheduler_requests: null,
  worker_requests: null,
  tmp_size_limit: null,
};
const ID = '0123456789abcdef0123456789abcdef';
const C = testCluster({
  name: wireName('ns1', ID),
  token: 'tok',
  schedulerAddress: 'tls://10.88.0.5:8786',
});
const LAUNCH = { apiUrl: 'unused', dashboardPrefix: `/clusters/${C.name}`, heartbeatPeriod: 15 };
const API = 'http://10.88.0.1:8000/api';

/** The value of env var `name` (or its downward-API field path) in a container. */
function envOf(
  env: readonly {
    name: string;
    value?: string;
    valueFrom?: { fieldRef?: { fieldPath: string } };
  }[],
  name: string
) {
  const e = env.find((x) => x.name === name);
  return e?.value ?? e?.valueFrom?.fieldRef?.fieldPath;
}

describe('names and labels', () => {
  it('the wire name is <namespace>.<id> and the id comes back from it', () => {
    assert.equal(C.name, `ns1.${ID}`);
    assert.equal(clusterId(C.name), ID);
    assert.equal(clusterId(ID), ID);
  });

  it('labels are upstream KubeBackend labels, the cluster label holding the bare id', () => {
    assert.deepEqual(clusterLabels('gatehouse', ID, 'dask-worker'), {
      'app.kubernetes.io/name': 'dask-gateway',
      'gateway.dask.org/instance': 'gatehouse',
      'gateway.dask.org/cluster': ID,
      'app.kubernetes.io/component': 'dask-worker',
    });
    assert.equal(
      instanceSelector('gatehouse'),
      'app.kubernetes.io/name=dask-gateway,gateway.dask.org/instance=gatehouse'
    );
  });
});

describe('the owner object and the secret', () => {
  it('the DaskCluster is named by the id and has no component label', () => {
    const o = daskClusterObject(C, S) as {
      metadata: { name: string; labels: Record<string, string> };
    };
    assert.equal(o.metadata.name, ID);
    assert.equal(o.metadata.labels['app.kubernetes.io/component'], undefined);
  });

  it('the secret holds the certificate, key and token and is owned by the DaskCluster', () => {
    const s = credentialsSecret(C, S, 'uid-1');
    assert.equal(s.metadata?.name, `dask-credentials-${ID}`);
    assert.deepEqual(Object.keys(s.stringData ?? {}).sort(), ['api-token', 'dask.crt', 'dask.pem']);
    assert.equal(s.stringData?.['api-token'], 'tok');
    assert.deepEqual(s.metadata.ownerReferences, [
      {
        apiVersion: 'gateway.dask.org/v1alpha1',
        kind: 'DaskCluster',
        name: ID,
        uid: 'uid-1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });
});

describe('environment variables', () => {
  const config = { ...C.config, environment: { MY_TOKEN: 's3cret', 'odd.name': 'v2' } };
  const E = { ...C, config, options: { environment_vars: { MY_TOKEN: 's3cret' }, n: 2 } };

  it('their values are in the Secret and referenced from every pod, never in a spec', () => {
    const secret = credentialsSecret(E, S, 'uid-1');
    const data = secret.stringData ?? {};
    assert.equal(data['env.0'], 's3cret');
    assert.equal(data['env.1'], 'v2');
    for (const pod of [
      schedulerPod(E, S, LAUNCH, API, 'uid-1'),
      workerPod(E, S, API, 'uid-1', {}),
    ]) {
      const env = pod.spec?.containers[0]?.env ?? [];
      assert.deepEqual(env.find((e) => e.name === 'MY_TOKEN')?.valueFrom?.secretKeyRef, {
        name: `dask-credentials-${ID}`,
        key: 'env.0',
      });
      assert.ok(!JSON.stringify(pod).includes('s3cret'));
    }
    const cr = JSON.stringify(daskClusterObject(E, S));
    assert.ok(!cr.includes('s3cret') && cr.includes('"n":2'), cr);
  });
});

describe('scheduler pod', () => {
  const pod = schedulerPod(C, S, LAUNCH, API, 'uid-1');
  const ctr = pod.spec?.containers[0];

  it('is dask-scheduler-<id>, labelled and owned', () => {
    assert.equal(pod.metadata?.name, `dask-scheduler-${ID}`);
    assert.equal(pod.metadata.labels?.['app.kubernetes.io/component'], 'dask-scheduler');
    assert.equal(pod.metadata.ownerReferences?.[0]?.uid, 'uid-1');
  });

  it('listens on fixed ports of its pod IP', () => {
    const argv = ctr?.command ?? [];
    assert.equal(argv[argv.indexOf('--host') + 1], '$(DASK_GATEWAY_POD_IP)');
    assert.equal(argv[argv.indexOf('--port') + 1], '8786');
    assert.equal(argv[argv.indexOf('--dashboard-address') + 1], '$(DASK_GATEWAY_POD_IP):8787');
    assert.equal(envOf(ctr?.env ?? [], 'DASK_GATEWAY_POD_IP'), 'status.podIP');
  });

  it('reads its token from the mounted secret (a path, spec 2.6)', () => {
    const env = ctr?.env ?? [];
    assert.equal(envOf(env, 'DASK_GATEWAY_API_TOKEN'), '/etc/dask-credentials/api-token');
    assert.equal(envOf(env, 'DASK_GATEWAY_API_URL'), API);
    assert.equal(envOf(env, 'DASK_GATEWAY_CLUSTER_NAME'), C.name);
    assert.equal(JSON.stringify(env).includes('tok"'), false, 'the token itself is not in the env');
    assert.deepEqual(ctr?.volumeMounts?.[0], {
      name: 'dask-credentials',
      mountPath: '/etc/dask-credentials',
      readOnly: true,
    });
  });

  it('runs as non-root with no privileges', () => {
    assert.deepEqual(pod.spec?.securityContext, {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    assert.deepEqual(ctr?.securityContext, {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    });
    assert.equal(pod.spec.automountServiceAccountToken, false);
    assert.equal(pod.spec.restartPolicy, 'Never');
  });
});

describe('worker pod', () => {
  it('gets a generated name, is named by it in Dask, and connects to the scheduler', () => {
    const pod = workerPod(C, S, API, 'uid-1', {});
    const ctr = pod.spec?.containers[0];
    assert.equal(pod.metadata?.generateName, `dask-worker-${ID}-`);
    const argv = ctr?.command ?? [];
    assert.equal(argv[argv.indexOf('--name') + 1], '$(DASK_GATEWAY_WORKER_NAME)');
    assert.ok(argv.includes('tls://10.88.0.5:8786'));
    assert.equal(envOf(ctr?.env ?? [], 'DASK_GATEWAY_WORKER_NAME'), 'metadata.name');
  });

  it('limits are the cluster size; requests the profile’s, else the configured or the limits', () => {
    const sized = testCluster({
      ...C,
      config: { ...C.config, worker_cores: 2, worker_memory: 8 * 2 ** 30 },
    });
    const limits = { cpu: '2', memory: String(8 * 2 ** 30) };
    const placed = workerPod(sized, S, API, 'u', { requests: { cpu: '1.5', memory: '5G' } });
    assert.deepEqual(placed.spec?.containers[0]?.resources, {
      limits,
      requests: { cpu: '1.5', memory: '5G' },
    });
    const plain = workerPod(sized, S, API, 'u', {});
    assert.deepEqual(plain.spec?.containers[0]?.resources, { limits, requests: limits });
    const configured = workerPod(sized, { ...S, worker_requests: { cpu: '100m' } }, API, 'u', {});
    assert.deepEqual(configured.spec?.containers[0]?.resources?.requests, { cpu: '100m' });
  });

  it('an environment that names an image runs in it', () => {
    const env = testCluster({ ...C, config: { ...C.config, python_env: '/envs/gpu' } });
    const images = new Map([['/envs/gpu', 'registry.example/gpu:2']]);
    const imageOf = (c: typeof C) =>
      workerPod(c, { ...S, environmentImages: images }, API, 'u', {}).spec?.containers[0]?.image;
    assert.equal(imageOf(env), 'registry.example/gpu:2');
    assert.equal(imageOf(C), S.image);
  });

  it('node selector and tolerations come from the profile', () => {
    const t = { key: 'dedicated', operator: 'Equal', value: 'nebari', effect: 'NoSchedule' };
    const pod = workerPod(C, S, API, 'u', {
      node_selector: { dedicated: 'worker' },
      tolerations: [t],
    });
    assert.deepEqual(pod.spec?.nodeSelector, { dedicated: 'worker' });
    assert.deepEqual(pod.spec.tolerations, [t]);
  });

  it('extra pod and container config merge in: objects by key, lists appended', () => {
    const s: PodSettings = {
      ...S,
      worker_extra_pod_config: {
        volumes: [{ name: 'usr', hostPath: { path: '/usr' } }],
        serviceAccountName: 'dask',
        securityContext: { runAsUser: 1234 },
      },
      worker_extra_container_config: { volumeMounts: [{ name: 'usr', mountPath: '/usr' }] },
    };
    const pod = workerPod(C, s, API, 'u', {});
    assert.deepEqual(
      pod.spec?.volumes?.map((v) => v.name),
      ['dask-credentials', 'tmp', 'usr']
    );
    assert.equal(pod.spec.serviceAccountName, 'dask');
    const security: Readonly<Record<string, unknown>> = { ...pod.spec.securityContext };
    assert.equal(security['runAsUser'], 1234);
    assert.equal(security['runAsNonRoot'], true);
    assert.deepEqual(
      pod.spec.containers[0]?.volumeMounts?.map((v) => v.mountPath),
      ['/etc/dask-credentials', '/tmp', '/usr']
    );
  });

  it('mergeExtra leaves its inputs alone', () => {
    const base = { a: { b: 1 }, l: [1] };
    const out = mergeExtra(base, { a: { c: 2 }, l: [2], x: 'y' });
    assert.deepEqual(out, { a: { b: 1, c: 2 }, l: [1, 2], x: 'y' });
    assert.deepEqual(base, { a: { b: 1 }, l: [1] });
  });
});
