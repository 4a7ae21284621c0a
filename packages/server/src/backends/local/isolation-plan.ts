/**
 * Decides at start-up how the local backend isolates clusters: resolves `backend.isolation`,
 * and for per-cluster uids checks that no account or group uses an id of the range and that
 * cluster uids can reach their directories and cannot read the config file. Refuses to start with a clear message otherwise.
 * @module
 */
import type { ResolvedLocalBackend } from './local-config.js';
import { prepareClustersDirectory } from './cluster-files.js';
import { blockedAncestor, readableByOthers } from './environment-access.js';
import {
  idsInRange,
  IsolationError,
  MAX_CLUSTER_UID,
  resolveIsolation,
  type ClusterFirewall,
} from './isolation.js';
import type { LocalIsolation } from './cluster-identities.js';
import { UidClaims } from './uid-claims.js';

/** What the local backend is built with. */
export interface IsolationPlan {
  readonly mode: 'uid' | 'none';
  /** Present when clusters get their own uids. */
  readonly isolation?: LocalIsolation;
  /** Parent of cluster working directories. */
  readonly clustersDirectory: string;
}

/** Inputs from the host, passed in so tests need no root. */
export interface HostFacts {
  readonly isRoot: boolean;
  /** Reads a system file (`/etc/passwd`, `/etc/group`); '' when missing. */
  readonly readText: (file: string) => string;
  readonly firewall?: ClusterFirewall;
  /** The configuration file, when the configuration came from one. */
  readonly configFile?: string;
  /** Where gateways on this host claim uids (default `/run/gatehouse/uid-claims`). */
  readonly claimsDirectory?: string;
}

/**
 * The plan for `cfg` on this host.
 * @throws IsolationError when isolation is asked for and cannot be had safely.
 */
export function planIsolation(cfg: ResolvedLocalBackend, host: HostFacts): IsolationPlan {
  const mode = resolveIsolation(cfg.isolation, host.isRoot);
  if (mode === 'none') return { mode, clustersDirectory: cfg.clustersDirectory };
  const range = cfg.isolation_uids;
  if (range.first + range.count - 1 > MAX_CLUSTER_UID) {
    throw new IsolationError(
      `backend.isolation_uids must end at or below ${String(MAX_CLUSTER_UID)} (a cluster's loopback address is made of its uid's low 24 bits)`
    );
  }
  const clashes = ['/etc/passwd', '/etc/group'].flatMap((f) =>
    idsInRange(host.readText(f), range).map((e) => `${f}: ${e.name} (${String(e.id)})`)
  );
  if (clashes.length > 0) {
    throw new IsolationError(
      `backend.isolation_uids (${String(range.first)}..${String(range.first + range.count - 1)}) ` +
        `overlaps existing ids, so a cluster could run as a real account or group: ${clashes.join(', ')}; choose another range`
    );
  }
  // Cluster uids are other users: a file they can read would give them the password hashes,
  // shared password or tokens it may hold.
  if (host.configFile !== undefined && readableByOthers(host.configFile)) {
    throw new IsolationError(
      `the config file ${host.configFile} is readable by other users, cluster uids included, and may hold secrets (auth.users hashes, passwords, tokens); chmod 600 it (or make its directory unsearchable by others)`
    );
  }
  const dir = cfg.isolatedClustersDirectory;
  prepareClustersDirectory(dir, true);
  const blocked = blockedAncestor(`${dir}/x`);
  if (blocked !== null) {
    throw new IsolationError(
      `cluster uids cannot reach their working directories under ${dir}: ${blocked} is not searchable by other users; set backend.clusters_directory to a directory whose parents are`
    );
  }
  return {
    mode,
    clustersDirectory: dir,
    isolation: {
      uids: range,
      claims: new UidClaims(host.claimsDirectory),
      ...(host.firewall === undefined ? {} : { firewall: host.firewall }),
    },
  };
}
