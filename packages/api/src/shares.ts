/**
 * Cluster shares (issue 22): a cluster's owner shares it with a user or a group at level `use`
 * (connect, compute) or `manage` (also scale, adapt, stop).
 * @module
 */
import { Type, type Static } from 'typebox';
import { clusterViewFields } from './cluster-view.js';

/** Share levels, lowest first. */
export const SHARE_LEVELS = ['use', 'manage'] as const;
/** Whom a cluster may be shared with. */
export const SHARE_KINDS = ['user', 'group'] as const;

/** One share of a cluster. */
export const ClusterShareJson = Type.Object(
  {
    cluster: Type.String({ description: 'The cluster id' }),
    kind: Type.Union([Type.Literal('user'), Type.Literal('group')]),
    principal: Type.String({ description: 'The user or group name' }),
    level: Type.Union([Type.Literal('use'), Type.Literal('manage')]),
    granted_by: Type.String(),
    granted_at: Type.Integer({ description: 'Milliseconds since the Unix epoch' }),
  },
  { additionalProperties: false }
);

/** One share of a cluster. */
export type ClusterShareJson = Static<typeof ClusterShareJson>;

/** `PUT /api/v1/clusters/{cluster_name}/shares/{kind}/{principal}` body. */
export const ShareGrantBody = Type.Object(
  { level: Type.Union([Type.Literal('use'), Type.Literal('manage')]) },
  { additionalProperties: false }
);

/** A share level. */
export type ShareLevelJson = Static<typeof ShareGrantBody>['level'];

/** One cluster on `GET /api/v1/me/shared-clusters`: its view (owner in `username`) and the caller's level. */
export const SharedCluster = Type.Object(
  {
    ...clusterViewFields,
    share_level: Type.Union([Type.Literal('use'), Type.Literal('manage')], {
      description: "The caller's level: the highest of the shares with them and their groups",
    }),
  },
  { additionalProperties: false }
);

/** One cluster shared with the caller. */
export type SharedCluster = Static<typeof SharedCluster>;
