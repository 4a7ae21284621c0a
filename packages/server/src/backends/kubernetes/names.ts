/**
 * Names and labels of the Kubernetes objects a cluster owns, as upstream's KubeBackend spells
 * them: the cluster id is the `DaskCluster`'s name, the name on the wire is `<namespace>.<id>`,
 * and every object carries the common labels, the instance and the cluster id.
 * @module
 */

/** The API group, version and plural of the per-cluster owner object. */
export const CRD = {
  group: 'gateway.dask.org',
  version: 'v1alpha1',
  plural: 'daskclusters',
  kind: 'DaskCluster',
} as const;

/** The label keys upstream sets. */
export const LABEL = {
  name: 'app.kubernetes.io/name',
  component: 'app.kubernetes.io/component',
  instance: 'gateway.dask.org/instance',
  cluster: 'gateway.dask.org/cluster',
} as const;

/** Where the credentials secret is mounted in every pod. */
export const CREDENTIALS_DIR = '/etc/dask-credentials';

/** The pod ports: scheduler (TLS), dashboard, and the gateway preload's API. */
export const PORTS = { scheduler: 8786, dashboard: 8787, api: 8788 } as const;

/** The roles of pods, as their component label and container name. */
export type PodRole = 'dask-scheduler' | 'dask-worker';

/** The cluster name on the wire for id `id` in `namespace`. */
export function wireName(namespace: string, id: string): string {
  return `${namespace}.${id}`;
}

/** The id (the DaskCluster's name) of cluster `name` (`<namespace>.<id>`, or a bare id). */
export function clusterId(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name : name.slice(dot + 1);
}

/** The selector of every object of a gateway instance. */
export function instanceSelector(instance: string): string {
  return `${LABEL.name}=dask-gateway,${LABEL.instance}=${instance}`;
}

/** The labels of every object of cluster `id`, plus its component when given. */
export function clusterLabels(
  instance: string,
  id: string,
  component?: PodRole | 'credentials'
): Record<string, string> {
  return {
    [LABEL.name]: 'dask-gateway',
    [LABEL.instance]: instance,
    [LABEL.cluster]: id,
    ...(component === undefined ? {} : { [LABEL.component]: component }),
  };
}

/** Object names of cluster `id`. */
export const objectNames = (id: string) => ({
  secret: `dask-credentials-${id}`,
  policy: `dask-cluster-${id}`,
  scheduler: `dask-scheduler-${id}`,
  workerPrefix: `dask-worker-${id}-`,
});
