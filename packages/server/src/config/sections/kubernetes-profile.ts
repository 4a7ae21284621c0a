/**
 * What a profile sets for Kubernetes (`profiles[].kubernetes`): the worker pods' requests, which
 * kube-scheduler and the shared pool pack by, and the node selector and tolerations that send
 * them to the worker node group (Nebari: `dedicated=worker`, taint `dedicated=nebari:NoSchedule`).
 * The profile's `worker_cores`/`worker_memory` stay the pods' limits.
 * @module
 */
import { Type, type Static } from 'typebox';

/** A Kubernetes quantity as YAML gives it: `1.5`, `"1500m"`, `"5G"`, `"16Gi"`. */
export const QuantityValue = Type.Union([
  Type.String({ minLength: 1 }),
  Type.Number({ minimum: 0 }),
]);

/** One toleration, in the pod spec's own shape (so it can be pasted from a pod spec). */
export const TolerationConfig = Type.Object(
  {
    key: Type.Optional(
      Type.String({ description: 'Taint key; empty with Exists tolerates every taint.' })
    ),
    operator: Type.Optional(
      Type.Union([Type.Literal('Equal'), Type.Literal('Exists')], {
        description: 'Equal (the default) compares the value; Exists matches any value.',
      })
    ),
    value: Type.Optional(Type.String({ description: 'Taint value, for operator Equal.' })),
    effect: Type.Optional(
      Type.Union(
        [Type.Literal('NoSchedule'), Type.Literal('PreferNoSchedule'), Type.Literal('NoExecute')],
        { description: 'The taint effect tolerated; absent tolerates all effects.' }
      )
    ),
    tolerationSeconds: Type.Optional(
      Type.Integer({
        description: 'With effect NoExecute: how long the pod stays after the taint appears.',
      })
    ),
  },
  { additionalProperties: false }
);

/** A profile's Kubernetes settings (`profiles[].kubernetes`). */
export const KubernetesProfileConfig = Type.Object(
  {
    requests: Type.Object(
      { cpu: QuantityValue, memory: QuantityValue },
      {
        additionalProperties: false,
        description:
          "The worker pods' resource requests (Nebari Small: cpu 1.5, memory 5G); the pool packs workers by them. worker_cores and worker_memory are the limits.",
      }
    ),
    node_selector: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'Node labels the pods require (Nebari on AWS: {dedicated: worker}).',
      })
    ),
    tolerations: Type.Optional(
      Type.Array(TolerationConfig, {
        description:
          'Taints the pods tolerate (Nebari: key dedicated, value nebari, effect NoSchedule).',
      })
    ),
  },
  { additionalProperties: false }
);

/** A profile's Kubernetes settings as written in the file. */
export type KubernetesProfileConfig = Static<typeof KubernetesProfileConfig>;
/** One toleration as written in the file. */
export type TolerationConfig = Static<typeof TolerationConfig>;
