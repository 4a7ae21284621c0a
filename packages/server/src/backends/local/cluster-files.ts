/**
 * A local cluster's working directory: its TLS certificate and key, its API token (as a file,
 * so it is in no process environment) and its home and temporary directories. With an isolated
 * cluster everything is owned by the cluster's uid and readable by it alone; the parent
 * directory is 0711 so uids can reach their own directory but list nobody's.
 * @module
 */
import { chmodSync, chownSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ClusterRecord } from '../../clusters/model.js';
import { certPaths } from './environment.js';

/** Who owns a cluster's files (null: the gateway's own user). */
export interface FileOwner {
  readonly uid: number;
  readonly gid: number;
}

/** The paths of a cluster's working directory. */
export interface ClusterPaths {
  readonly workdir: string;
  readonly cert: string;
  readonly key: string;
  /** The cluster API token (spec §2.6: a value containing `/` names a file). */
  readonly token: string;
  /** TMPDIR and dask's temporary (local) directory. */
  readonly tmp: string;
}

/** Where a cluster's files live under `workdir`. */
export function clusterPaths(workdir: string): ClusterPaths {
  const { cert, key, dir } = certPaths(workdir);
  return { workdir, cert, key, token: path.join(dir, 'api-token'), tmp: path.join(workdir, 'tmp') };
}

/**
 * Creates the parent of cluster directories: 0711 when clusters are isolated (each uid may
 * traverse it to its own directory), else 0700.
 */
export function prepareClustersDirectory(dir: string, isolated: boolean): void {
  const mode = isolated ? 0o711 : 0o700;
  const created = mkdirSync(dir, { recursive: true, mode });
  // Every directory created here gets the mode (a umask may have narrowed it).
  if (created !== undefined) {
    for (let d = dir; d.startsWith(created); d = path.dirname(d)) chmodSync(d, mode);
  }
  chmodSync(dir, mode);
}

/**
 * (Re)creates `c`'s working directory with its credentials, owned by `owner` (mode 0700 for
 * directories, 0400 for credentials; 0600 when the gateway's user keeps them).
 */
export function writeClusterFiles(c: ClusterRecord, p: ClusterPaths, owner: FileOwner | null) {
  rmSync(p.workdir, { recursive: true, force: true });
  mkdirSync(path.dirname(p.workdir), { recursive: true, mode: 0o700 });
  const dirs = [p.workdir, path.dirname(p.cert), p.tmp];
  for (const d of dirs) mkdirSync(d, { mode: 0o700 });
  const fileMode = owner === null ? 0o600 : 0o400;
  const files: Array<[string, string]> = [
    [p.cert, c.tlsCert],
    [p.key, c.tlsKey],
    [p.token, c.token],
  ];
  for (const [file, text] of files) writeFileSync(file, text, { mode: fileMode, flag: 'wx' });
  if (owner !== null) {
    for (const f of [...dirs, ...files.map(([file]) => file)]) chownSync(f, owner.uid, owner.gid);
  }
}
