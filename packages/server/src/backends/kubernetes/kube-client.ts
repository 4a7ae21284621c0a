/**
 * The calls the Kubernetes backend makes to the API server, and nothing else (the RBAC role in
 * `deploy/kubernetes/rbac.yaml` grants exactly these): the kubeconfig or in-cluster account,
 * creates that tolerate `409 AlreadyExists`, deletes that tolerate `404 NotFound`, and API
 * errors turned into one readable line instead of client-node's raw message.
 * @module
 */
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
  type V1NetworkPolicy,
  type V1Pod,
  type V1Secret,
} from '@kubernetes/client-node';
import { CRD } from './names.js';
import type { JsonObject, Plain } from './extra-config.js';

/**
 * Loads the kubeconfig at `file`, or the in-cluster service account when null. client-node
 * refuses a plain-http server unless `skipTLSVerify` is set, so it is set for those (there is
 * no certificate to verify on http).
 */
export function loadKubeConfig(file: string | null): KubeConfig {
  const kc = new KubeConfig();
  if (file === null) kc.loadFromCluster();
  else kc.loadFromFile(file);
  if (kc.clusters.some((c) => c.server.startsWith('http://'))) {
    kc.loadFromOptions({
      clusters: kc.clusters.map((c) =>
        c.server.startsWith('http://') ? { ...c, skipTLSVerify: true } : c
      ),
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });
  }
  return kc;
}

/** The HTTP status of an API error, or null for other errors (network, ...). */
export function statusOf(err: unknown): number | null {
  return err instanceof ApiException ? err.code : null;
}

/** One readable line for an API error: the Status message the server sent, else the error. */
export function describe(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = err.body;
    if (typeof body === 'string') {
      try {
        const parsed: unknown = JSON.parse(body);
        if (typeof parsed === 'object' && parsed !== null && 'message' in parsed) {
          return `HTTP ${String(err.code)}: ${String(parsed.message)}`;
        }
      } catch {
        // not a Status object
      }
    }
    return `HTTP ${String(err.code)}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** An API call that failed: the readable line, and the HTTP status when the server answered. */
export class KubeApiError extends Error {
  readonly status: number | null;
  constructor(err: unknown) {
    super(describe(err), { cause: err });
    this.name = 'KubeApiError';
    this.status = statusOf(err);
  }
}

/** Whether `err` is the API refusing an object as such (400, 422): retrying cannot help. */
export function isRejection(err: unknown): err is KubeApiError {
  return err instanceof KubeApiError && (err.status === 400 || err.status === 422);
}

/** Resolves to undefined when `p` fails with `status`; rethrows any other failure. */
async function tolerate<T>(p: Promise<T>, status: number): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (statusOf(err) === status) return undefined;
    throw new KubeApiError(err);
  }
}

/** The backend's API calls in one namespace. */
export class KubeClient {
  readonly kc: KubeConfig;
  readonly namespace: string;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  readonly networking: NetworkingV1Api;

  constructor(kc: KubeConfig, namespace: string) {
    this.kc = kc;
    this.namespace = namespace;
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
    this.networking = kc.makeApiClient(NetworkingV1Api);
  }

  #cr() {
    return {
      group: CRD.group,
      version: CRD.version,
      namespace: this.namespace,
      plural: CRD.plural,
    };
  }

  /** Creates the DaskCluster; an existing one of that name is read instead. Resolves its uid. */
  async createCluster(body: JsonObject, name: string): Promise<string> {
    const made = (await tolerate(
      this.custom.createNamespacedCustomObject({ ...this.#cr(), body }),
      409
    )) as { metadata?: { uid?: string } } | undefined;
    const obj = (made ??
      (await this.custom.getNamespacedCustomObject({ ...this.#cr(), name }))) as {
      metadata?: { uid?: string };
    };
    const uid = obj.metadata?.uid;
    if (uid === undefined) throw new Error(`the DaskCluster ${name} has no uid`);
    return uid;
  }

  /** Deletes a DaskCluster (its pods and secret are garbage-collected); 404 is fine. */
  async deleteCluster(name: string): Promise<void> {
    await tolerate(
      this.custom.deleteNamespacedCustomObject({
        ...this.#cr(),
        name,
        propagationPolicy: 'Background',
      }),
      404
    );
  }

  /** Replaces the status of DaskCluster `name` (the status subresource); 404 is fine. */
  async setClusterStatus(name: string, status: JsonObject): Promise<void> {
    await tolerate(
      this.custom.patchNamespacedCustomObjectStatus({
        ...this.#cr(),
        name,
        body: [{ op: 'add', path: '/status', value: status }],
      }),
      404
    );
  }

  /** Lists the DaskClusters matching `labelSelector`. */
  listClusters(labelSelector: string): Promise<{ items: JsonObject[]; metadata?: JsonObject }> {
    return this.custom.listNamespacedCustomObject({ ...this.#cr(), labelSelector }) as Promise<{
      items: JsonObject[];
      metadata?: JsonObject;
    }>;
  }

  /** Creates a secret; an existing one of that name is fine. */
  async createSecret(body: Plain<V1Secret>): Promise<void> {
    await tolerate(this.core.createNamespacedSecret({ namespace: this.namespace, body }), 409);
  }

  /** Creates a NetworkPolicy; an existing one of that name is fine. */
  async createNetworkPolicy(body: Plain<V1NetworkPolicy>): Promise<void> {
    await tolerate(
      this.networking.createNamespacedNetworkPolicy({ namespace: this.namespace, body }),
      409
    );
  }

  /** Creates a pod; resolves to it as created (its generated name filled in). */
  async createPod(body: Plain<V1Pod>): Promise<V1Pod | undefined> {
    return tolerate(this.core.createNamespacedPod({ namespace: this.namespace, body }), 409);
  }

  /** Deletes a pod; 404 is fine. */
  async deletePod(name: string): Promise<void> {
    await tolerate(this.core.deleteNamespacedPod({ name, namespace: this.namespace }), 404);
  }

  /** The end of a pod's log, at most `limitBytes`; '' when there is none (never started, gone). */
  async podLog(name: string, limitBytes: number): Promise<string> {
    try {
      return await this.core.readNamespacedPodLog({
        name,
        namespace: this.namespace,
        tailLines: 10_000,
        limitBytes,
      });
    } catch (err) {
      const status = statusOf(err);
      if (status === 400 || status === 404) return '';
      throw new KubeApiError(err);
    }
  }
}
