/**
 * The `cluster_names` section: whether users may name their clusters (issue 22).
 * @module
 */
import { Type, type Static } from 'typebox';

/** Named clusters: the `cluster_name` option field and its label. */
export const ClusterNamesConfig = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description:
        "Offer the cluster_name option: a name unique among each user's clusters (kept for the cluster history), usable wherever the cluster id is.",
    }),
    label: Type.String({
      default: 'Name',
      minLength: 1,
      description: 'The label of the cluster_name option in widgets.',
    }),
  },
  { additionalProperties: false, default: {} }
);

/** The `cluster_names` section as written in the file. */
export type ClusterNamesConfig = Static<typeof ClusterNamesConfig>;
