/**
 * The Kubernetes backend's `node_pool:` key: which nodes form the shared worker pool (a node
 * selector, as Nebari's worker node group), the autoscaler's ceiling, and the shape of the nodes
 * it would add.
 * @module
 */
import { Type, type Static } from 'typebox';
import { QuantityValue } from '../../config/schema.js';

/** The size of a node an autoscaler adds, as its allocatable resources. */
export const NodeTemplateConfig = Type.Object(
  {
    cpu: QuantityValue,
    memory: QuantityValue,
  },
  {
    additionalProperties: false,
    description:
      "Allocatable CPU and memory of a node the autoscaler adds (Kubernetes quantities, e.g. cpu: 3920m, memory: 15Gi); default: the largest present node's allocatable.",
  }
);

/** The nodes workers are packed onto, read from the API server. */
export const NodePoolConfig = Type.Object(
  {
    node_selector: Type.Record(Type.String(), Type.String(), {
      default: {},
      description:
        'Labels picking the worker nodes (Nebari on AWS: {dedicated: worker}); empty means every node.',
    }),
    max_nodes: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          "The node group's autoscaler ceiling (10 on SMCE); default: the number of matching nodes (no autoscaling).",
      })
    ),
    node_template: Type.Optional(NodeTemplateConfig),
  },
  { additionalProperties: false, default: {} }
);

/** The `node_pool:` key with its defaults filled. */
export type NodePoolConfig = Static<typeof NodePoolConfig>;
