/**
 * The Kubernetes backend's state codec: a scheduler's blob names the cluster's `DaskCluster`
 * by uid (which owner references and the orphan scan compare) and the scheduler pod.
 * @module
 */
import type { BackendState } from '../../clusters/model.js';
import { sealState, versionedFields } from '../backend-state.js';

/** The blob version this codec writes. */
export const KUBERNETES_STATE_VERSION = 1;

/** What the backend remembers of a started cluster. */
export interface KubernetesState {
  /** The DaskCluster's uid. */
  readonly uid?: string;
  /** The scheduler pod's name. */
  readonly pod?: string;
}

/** Decodes a blob (empty for a never-started record or another version). */
export function decodeKubernetesState(state: BackendState): KubernetesState {
  const o = versionedFields(state, KUBERNETES_STATE_VERSION);
  if (o === null) return {};
  const { uid, pod } = o;
  return {
    ...(typeof uid === 'string' ? { uid } : {}),
    ...(typeof pod === 'string' ? { pod } : {}),
  };
}

/** Encodes `s` as a version-1 blob. */
export function encodeKubernetesState(s: KubernetesState): BackendState {
  return sealState(KUBERNETES_STATE_VERSION, s);
}
