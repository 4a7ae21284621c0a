/**
 * The Kubernetes objects of one cluster, built from its record: the `DaskCluster` that owns
 * everything, the credentials Secret, the scheduler pod and worker pods (upstream's names and
 * labels, a restrictive security context, the token as a file, the pod IP and name from the
 * downward API, resources from the cluster's config and its profile's requests, then the extra
 * pod and container config merged in). Pure functions: no API calls.
 * @module
 */
import type {
  V1Container,
  V1EnvVar,
  V1OwnerReference,
  V1Pod,
  V1PodSpec,
  V1Secret,
  V1Toleration,
} from '@kubernetes/client-node';
import type { ClusterRecord } from '../../clusters/model.js';
import type { SchedulerLaunch } from '../backend.js';
import { schedulerArgv, workerArgv } from '../launch-args.js';
import { CLUSTER_VAR, WORKER_VAR } from '../local/environment.js';
import { mergeExtra, type JsonObject, type Plain } from './extra-config.js';
import type { ResolvedKubernetesBackend } from './kubernetes-config.js';
import { secretEnvironment, withoutValues } from './secret-environment.js';
import {
  CREDENTIALS_DIR,
  CRD,
  PORTS,
  clusterId,
  clusterLabels,
  objectNames,
  type PodRole,
} from './names.js';

/** Where a profile places worker pods (its `kubernetes` section): requests, nodes, taints. */
export interface PodPlacement {
  readonly requests?: Readonly<Record<string, string | number>>;
  readonly node_selector?: Readonly<Record<string, string>>;
  readonly tolerations?: readonly Plain<V1Toleration>[];
}

/** The settings the builders read. */
export type PodSettings = Pick<
  ResolvedKubernetesBackend,
  | 'namespace'
  | 'instance'
  | 'image'
  | 'image_pull_policy'
  | 'pythonEnv'
  | 'scheduler_extra_pod_config'
  | 'worker_extra_pod_config'
  | 'scheduler_extra_container_config'
  | 'worker_extra_container_config'
  | 'scheduler_requests'
  | 'worker_requests'
  | 'tmp_size_limit'
> & {
  /** Images of environments that name one, by environment prefix. */
  readonly environmentImages?: ReadonlyMap<string, string>;
};

/** The variables holding the pod's IP and name (downward API), usable as `$(NAME)` in args. */
const POD_IP = 'DASK_GATEWAY_POD_IP';

/**
 * The `DaskCluster` of `c` (upstream's spec: user, options). Option values that are the value
 * of an environment variable of the cluster are replaced by {@link IN_SECRET}: the values live
 * only in the credentials Secret.
 */
export function daskClusterObject(c: ClusterRecord, s: PodSettings): JsonObject {
  const id = clusterId(c.name);
  const hidden = new Set(Object.values(c.config.environment).filter((v) => v !== ''));
  return {
    apiVersion: `${CRD.group}/${CRD.version}`,
    kind: CRD.kind,
    metadata: { name: id, namespace: s.namespace, labels: clusterLabels(s.instance, id) },
    spec: { username: c.username, options: withoutValues(c.options, hidden), active: true },
  };
}

/** The reference that makes an object owned (and garbage-collected) by the DaskCluster. */
export function ownerReference(id: string, uid: string): Plain<V1OwnerReference> {
  return {
    apiVersion: `${CRD.group}/${CRD.version}`,
    kind: CRD.kind,
    name: id,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Metadata of object `name` of cluster `id`, owned by its DaskCluster (uid `owner`). */
export function ownedMetadata(
  name: string,
  namespace: string,
  labels: Record<string, string>,
  id: string,
  owner: string
) {
  return { name, namespace, labels, ownerReferences: [ownerReference(id, owner)] };
}

/** The Secret holding the cluster's certificate, key, API token and environment values. */
export function credentialsSecret(
  c: ClusterRecord,
  s: PodSettings,
  owner: string
): Plain<V1Secret> {
  const id = clusterId(c.name);
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: ownedMetadata(
      objectNames(id).secret,
      s.namespace,
      clusterLabels(s.instance, id, 'credentials'),
      id,
      owner
    ),
    type: 'Opaque',
    stringData: {
      'dask.crt': c.tlsCert,
      'dask.pem': c.tlsKey,
      'api-token': c.token,
      ...Object.fromEntries(
        secretEnvironment(c).map(([name, key]) => [key, c.config.environment[name] ?? ''])
      ),
    },
  };
}

/** The environment of a pod of `role` (spec §5.2, the token as a file per §2.6). */
export function podEnvironment(c: ClusterRecord, role: PodRole, apiUrl: string): Plain<V1EnvVar>[] {
  const cert = `${CREDENTIALS_DIR}/dask.crt`;
  const key = `${CREDENTIALS_DIR}/dask.pem`;
  const upper = role === 'dask-scheduler' ? 'SCHEDULER' : 'WORKER';
  const fixed: Record<string, string> = {
    DASK_GATEWAY_API_URL: apiUrl,
    DASK_GATEWAY_API_TOKEN: `${CREDENTIALS_DIR}/api-token`,
    [CLUSTER_VAR]: c.name,
    DASK_DISTRIBUTED__COMM__REQUIRE_ENCRYPTION: 'True',
    DASK_DISTRIBUTED__COMM__TLS__CA_FILE: cert,
    [`DASK_DISTRIBUTED__COMM__TLS__${upper}__CERT`]: cert,
    [`DASK_DISTRIBUTED__COMM__TLS__${upper}__KEY`]: key,
    USER: c.username,
    LOGNAME: c.username,
    HOME: '/tmp',
    TMPDIR: '/tmp',
    DASK_TEMPORARY_DIRECTORY: '/tmp',
  };
  const env: Plain<V1EnvVar>[] = [
    { name: POD_IP, valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
  ];
  if (role === 'dask-worker') {
    env.push({ name: WORKER_VAR, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } });
  }
  // The cluster's own variables: their values are read from the Secret, never in the spec.
  for (const [name, key] of secretEnvironment(c)) {
    if (name in fixed) continue;
    env.push({
      name,
      valueFrom: { secretKeyRef: { name: objectNames(clusterId(c.name)).secret, key } },
    });
  }
  for (const [name, value] of Object.entries(fixed)) env.push({ name, value });
  return env;
}

/** Requests and limits: limits from the cluster's config, requests from the profile (or = limits). */
function resources(cores: number, memory: number, requests?: PodPlacement['requests'] | null) {
  const limits = { cpu: String(cores), memory: String(memory) };
  const req =
    requests === undefined || requests === null
      ? limits
      : Object.fromEntries(Object.entries(requests).map(([k, v]) => [k, String(v)]));
  return { limits, requests: req };
}

/** The container of a pod of `role` running `argv`. */
function container(
  c: ClusterRecord,
  s: PodSettings,
  role: PodRole,
  argv: readonly string[],
  apiUrl: string,
  placement: PodPlacement
): Plain<V1Container> {
  const python = c.config.python_env ?? s.pythonEnv;
  const env = podEnvironment(c, role, apiUrl);
  env.push({ name: 'PATH', value: `${python}/bin:/usr/local/bin:/usr/bin:/bin` });
  const scheduler = role === 'dask-scheduler';
  const base: Plain<V1Container> = {
    name: role,
    image: s.environmentImages?.get(python) ?? s.image,
    imagePullPolicy: s.image_pull_policy,
    command: [...argv],
    env,
    resources: scheduler
      ? resources(c.config.scheduler_cores, c.config.scheduler_memory, s.scheduler_requests)
      : resources(
          c.config.worker_cores,
          c.config.worker_memory,
          placement.requests ?? s.worker_requests
        ),
    ports: scheduler
      ? [
          { name: 'scheduler', containerPort: PORTS.scheduler },
          { name: 'dashboard', containerPort: PORTS.dashboard },
          { name: 'api', containerPort: PORTS.api },
        ]
      : [],
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    volumeMounts: [
      { name: 'dask-credentials', mountPath: CREDENTIALS_DIR, readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
    ],
  };
  const extra = scheduler ? s.scheduler_extra_container_config : s.worker_extra_container_config;
  return mergeExtra(base, extra);
}

/** The size limit of the pod's `/tmp`: the configured one, else twice its memory limit. */
function tmpLimit(c: ClusterRecord, s: PodSettings, role: PodRole): string {
  const memory = role === 'dask-scheduler' ? c.config.scheduler_memory : c.config.worker_memory;
  return s.tmp_size_limit ?? String(2 * memory);
}

/** A pod of cluster `c` in `role` with `argv`, owned by the DaskCluster of uid `owner`. */
function pod(
  c: ClusterRecord,
  s: PodSettings,
  role: PodRole,
  argv: readonly string[],
  apiUrl: string,
  owner: string,
  placement: PodPlacement
): Plain<V1Pod> {
  const id = clusterId(c.name);
  const names = objectNames(id);
  const spec: Plain<V1PodSpec> = {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 1000,
      runAsGroup: 1000,
      fsGroup: 1000,
      seccompProfile: { type: 'RuntimeDefault' },
    },
    containers: [container(c, s, role, argv, apiUrl, placement)],
    volumes: [
      { name: 'dask-credentials', secret: { secretName: names.secret, defaultMode: 0o440 } },
      { name: 'tmp', emptyDir: { sizeLimit: tmpLimit(c, s, role) } },
    ],
    ...(placement.node_selector === undefined
      ? {}
      : { nodeSelector: { ...placement.node_selector } }),
    ...(placement.tolerations === undefined ? {} : { tolerations: [...placement.tolerations] }),
  };
  const extra =
    role === 'dask-scheduler' ? s.scheduler_extra_pod_config : s.worker_extra_pod_config;
  const scheduler = role === 'dask-scheduler';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(scheduler ? { name: names.scheduler } : { generateName: names.workerPrefix }),
      namespace: s.namespace,
      labels: clusterLabels(s.instance, id, role),
      ownerReferences: [ownerReference(id, owner)],
    },
    spec: mergeExtra(spec, extra),
  };
}

/** The scheduler pod: fixed ports on the pod IP, which its heartbeat reports to the gateway. */
export function schedulerPod(
  c: ClusterRecord,
  s: PodSettings,
  launch: SchedulerLaunch,
  apiUrl: string,
  owner: string
): Plain<V1Pod> {
  const argv = schedulerArgv(c, launch, `$(${POD_IP})`, PORTS);
  return pod(c, s, 'dask-scheduler', argv, apiUrl, owner, {});
}

/** A worker pod; its Dask name is its pod name (downward API), given by the API server. */
export function workerPod(
  c: ClusterRecord,
  s: PodSettings,
  apiUrl: string,
  owner: string,
  placement: PodPlacement
): Plain<V1Pod> {
  const argv = workerArgv(c, { name: `$(${WORKER_VAR})` }, `$(${POD_IP})`);
  return pod(c, s, 'dask-worker', argv, apiUrl, owner, placement);
}
