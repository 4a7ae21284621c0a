/**
 * The NetworkPolicy of one cluster, owned by its `DaskCluster`: the cluster's pods accept
 * traffic from each other on any port (workers reach the scheduler and each other) and from the
 * gateway's peers on the scheduler's ports (TLS, dashboard, API), and from nothing else. It takes
 * effect only where the CNI enforces NetworkPolicy. Pure: no API calls. (client-node's model
 * names a rule's `from` `_from`; its serializer writes it as `from`.)
 * @module
 */
import type { V1NetworkPolicy, V1NetworkPolicyPeer } from '@kubernetes/client-node';
import type { JsonObject, Plain } from './extra-config.js';
import { ownedMetadata } from './pod-spec.js';
import { LABEL, PORTS, clusterLabels, objectNames } from './names.js';

/** What the policy is built from. */
export interface PolicySettings {
  readonly namespace: string;
  readonly instance: string;
  /** Peers the gateway's traffic comes from (the config's `network_policy.gateway_peers`). */
  readonly gatewayPeers: readonly JsonObject[];
}

/** The NetworkPolicy of cluster `id`, owned by the DaskCluster of uid `owner`. */
export function clusterNetworkPolicy(
  id: string,
  s: PolicySettings,
  owner: string
): Plain<V1NetworkPolicy> {
  const own = clusterLabels(s.instance, id);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: ownedMetadata(objectNames(id).policy, s.namespace, own, id, owner),
    spec: {
      podSelector: { matchLabels: own },
      policyTypes: ['Ingress'],
      ingress: [
        {
          _from: [
            { podSelector: { matchLabels: { [LABEL.cluster]: id, [LABEL.instance]: s.instance } } },
          ],
        },
        {
          _from: s.gatewayPeers.map((p) => p as Plain<V1NetworkPolicyPeer>),
          ports: [PORTS.scheduler, PORTS.dashboard, PORTS.api].map((port) => ({
            protocol: 'TCP',
            port,
          })),
        },
      ],
    },
  };
}
