/**
 * The Kubernetes backend's `backend:` section: where the API server is (kubeconfig or the
 * in-cluster service account), the namespace and instance label of the objects it owns, the
 * address pods reach the gateway API at, the image, and upstream's extra pod and container
 * config; then the shared lifecycle keys. Resolution makes the paths absolute.
 * @module
 */
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { LifecycleKeys } from '../../config/sections/lifecycle.js';
import { Seconds } from '../../config/sections/primitives.js';
import type { BackendConfigPaths, ResolvedBackendConfig } from '../backend-config.js';
import { NodePoolConfig } from './node-pool-config.js';

/** A free-form object merged into a generated pod or container spec (Kubernetes camelCase). */
const Extra = (description: string) =>
  Type.Record(Type.String(), Type.Unknown(), { default: {}, description });

/** Resource requests of a pod (Kubernetes quantities), or null for "the limits". */
const Requests = (description: string) =>
  Type.Union(
    [Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()])), Type.Null()],
    { default: null, description }
  );

/** Settings of the Kubernetes backend (schedulers and workers as pods owned by a DaskCluster). */
export const KubernetesBackendConfig = Type.Object(
  {
    type: Type.Literal('kubernetes'),
    kubeconfig: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description:
        "Kubeconfig file of the gateway's Kubernetes account; null means the in-cluster service account.",
    }),
    namespace: Type.String({
      minLength: 1,
      default: 'default',
      description: "Namespace of every cluster's objects (DaskCluster, pods, secret).",
    }),
    instance: Type.String({
      minLength: 1,
      maxLength: 63,
      default: 'gatehouse',
      description:
        'Value of the gateway.dask.org/instance label on every object this gateway owns (the release name).',
    }),
    api_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
      default: null,
      description:
        "URL pods reach the gateway API at (no DNS needed, e.g. http://10.88.0.1:8000/api); null means the gateway's api_url.",
    }),
    python_env: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description:
        'Prefix of the Python environment inside the image (or mounted into it) when the cluster chose none; null means the project environment.',
    }),
    logs_directory: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: 'Where pod logs are kept after the pods are gone; null means <data_dir>/logs.',
    }),
    image: Type.String({
      minLength: 1,
      default: 'localhost/k8s-local/base:1',
      description: 'Image of scheduler and worker pods; an environment may name its own.',
    }),
    image_pull_policy: Type.Union(
      [Type.Literal('IfNotPresent'), Type.Literal('Always'), Type.Literal('Never')],
      { default: 'IfNotPresent' }
    ),
    scheduler_requests: Requests(
      "Resource requests of scheduler pods (e.g. {cpu: '1', memory: 2Gi}); null means the limits (the cluster's scheduler_cores and scheduler_memory)."
    ),
    worker_requests: Requests(
      'Resource requests of worker pods whose profile names none; null means the limits (worker_cores and worker_memory).'
    ),
    node_pool: Type.Union([NodePoolConfig, Type.Null()], {
      default: null,
      description:
        "The worker pool read from the nodes (docs/kubernetes-pool.md): a node selector, the autoscaler's max_nodes and the node_template it adds; re-read every minute. null means the configured pool.machine_types.",
    }),
    start_timeout: Seconds(
      300,
      'Seconds a pod may take to run; image pull and crash-loop errors fail at once instead.'
    ),
    scheduler_extra_pod_config: Extra('Merged into the scheduler pod spec (lists appended).'),
    worker_extra_pod_config: Extra('Merged into worker pod specs (lists appended).'),
    scheduler_extra_container_config: Extra('Merged into the scheduler container.'),
    worker_extra_container_config: Extra('Merged into worker containers.'),
    tmp_size_limit: Type.Union(
      [
        Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$' }),
        Type.Null(),
      ],
      {
        default: null,
        description:
          "Size limit of each pod's /tmp emptyDir (a Kubernetes quantity, e.g. 4Gi; the kubelet evicts a pod that writes more); null means twice the pod's memory limit.",
      }
    ),
    network_policy: Type.Object(
      {
        enabled: Type.Boolean({
          default: true,
          description:
            "Create a NetworkPolicy per cluster: its pods accept traffic only from each other and, on the scheduler's ports, from the gateway's peers.",
        }),
        gateway_peers: Type.Array(Type.Record(Type.String(), Type.Unknown()), {
          default: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gatehouse' } } }],
          description:
            "NetworkPolicy peers (camelCase) the gateway's traffic comes from: its pods (podSelector, namespaceSelector) or, for a gateway outside the cluster, an ipBlock.",
        }),
      },
      { additionalProperties: false, default: {} }
    ),
    watch_timeout: Seconds(
      60,
      'Seconds after which a silent watch is restarted from its last resource version.'
    ),
    ...LifecycleKeys,
  },
  { additionalProperties: false }
);

/** Settings of the Kubernetes backend, as validated. */
export type KubernetesBackendConfig = Static<typeof KubernetesBackendConfig>;

/** The Kubernetes backend's settings with every path made absolute. */
export interface ResolvedKubernetesBackend
  extends
    Omit<KubernetesBackendConfig, 'python_env' | 'logs_directory' | 'kubeconfig'>,
    ResolvedBackendConfig {
  readonly type: 'kubernetes';
  readonly kubeconfig: string | null;
}

/** Resolves a validated Kubernetes section. */
export function resolveKubernetesConfig(
  b: KubernetesBackendConfig,
  p: BackendConfigPaths
): ResolvedKubernetesBackend {
  const { python_env, logs_directory, kubeconfig, ...rest } = b;
  return {
    ...rest,
    kubeconfig: kubeconfig === null ? null : path.resolve(p.base, kubeconfig),
    // A path inside the pods: not resolved against the config file's directory.
    pythonEnv: python_env ?? p.defaultPythonEnv,
    logsDirectory: path.resolve(p.base, logs_directory ?? path.join(p.dataDir, 'logs')),
    environmentsInImage: true,
  };
}
