/**
 * The local backend's `backend:` section: its schema (process keys, isolation, firewall and
 * the shared lifecycle keys) and its resolution (paths made absolute, the isolated clusters'
 * directory chosen).
 * @module
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { LifecycleKeys } from '../../config/sections/lifecycle.js';
import type { BackendConfigPaths } from '../backend-config.js';
import {
  ProcessKeys,
  resolveProcessPaths,
  type ProcessPathKeys,
  type ResolvedProcessSettings,
} from '../process-settings.js';

/** How the local backend separates clusters from each other and from the gateway. */
const IsolationKeys = {
  isolation: Type.Union([Type.Literal('auto'), Type.Literal('uid'), Type.Literal('none')], {
    default: 'auto',
    description:
      "'uid': every cluster runs under its own uid and gid from isolation_uids and binds to its own loopback address (the gateway must run as root); 'none': clusters run as the gateway's user, not isolated; 'auto': 'uid' when the gateway runs as root, else 'none'. See docs/security.md.",
  }),
  isolation_uids: Type.Object(
    {
      first: Type.Integer({ minimum: 1000, default: 900000, description: 'First uid (and gid).' }),
      count: Type.Integer({
        minimum: 1,
        maximum: 65000,
        default: 50000,
        description: 'Number of ids, the most clusters that can run at once.',
      }),
    },
    {
      additionalProperties: false,
      default: {},
      description:
        'Range of uids and gids given to isolated clusters; no account or group may use one (checked against /etc/passwd and /etc/group at start).',
    }
  ),
};

/** The firewall between clusters on one machine. */
const NetworkKeys = {
  network_isolation: Type.Union(
    [Type.Literal('auto'), Type.Literal('nftables'), Type.Literal('none')],
    {
      default: 'auto',
      description:
        "Firewall between clusters on this machine (docs/security.md, Network): 'nftables' lets only root and a cluster's own uid reach its loopback address, and that uid only its address, the gateway API and DNS (needs root and nft; the gateway refuses to start without them); 'auto' uses nftables when it can and warns otherwise; 'none' leaves every cluster port open to every local user.",
    }
  ),
};

/** Settings of the local process backend (spec §5). */
export const LocalBackendConfig = Type.Object(
  {
    type: Type.Literal('local'),
    ...ProcessKeys,
    ...IsolationKeys,
    ...NetworkKeys,
    ...LifecycleKeys,
  },
  { additionalProperties: false }
);

/** Settings of the local backend, as validated. */
export type LocalBackendConfig = Static<typeof LocalBackendConfig>;

/** The local backend's settings with every path made absolute. */
export interface ResolvedLocalBackend
  extends Omit<LocalBackendConfig, ProcessPathKeys>, ResolvedProcessSettings {
  /**
   * Parent of cluster working directories when clusters are isolated: `clusters_directory` if
   * set, else `/var/lib/gatehouse/clusters/<hash of data_dir>`, whose parents every uid may
   * traverse (a data dir's often do not: temporary directories, home directories).
   */
  readonly isolatedClustersDirectory: string;
}

/** Resolves a validated local section. */
export function resolveLocalConfig(
  b: LocalBackendConfig,
  p: BackendConfigPaths
): ResolvedLocalBackend {
  const { python_env: _p, clusters_directory: _c, logs_directory: _l, ...rest } = b;
  const paths = resolveProcessPaths(b, p);
  const isolatedClustersDirectory =
    b.clusters_directory === null
      ? path.join(
          '/var/lib/gatehouse/clusters',
          createHash('sha256').update(p.dataDir).digest('hex').slice(0, 16)
        )
      : paths.clustersDirectory;
  return { ...rest, ...paths, isolatedClustersDirectory };
}
