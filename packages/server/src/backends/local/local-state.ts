/**
 * The local backend's state codec. A scheduler's blob records its working directory, process
 * (pid and start ticks) and, when isolated, the cluster's uid, gid and loopback address; a
 * worker's records its process. Version 1 adds `v: 1` to what the previous release stored
 * (unversioned records decode alike); malformed fields are dropped, never fatal.
 * @module
 */
import type { BackendState, ProcessRef } from '../../clusters/model.js';
import { isInt, sealState, versionedFields } from '../backend-state.js';
import type { ClusterIdentity } from './isolation.js';

/** The blob version this codec writes. */
export const LOCAL_STATE_VERSION = 1;

/** What the local backend remembers of a started scheduler or worker. */
export interface LocalState {
  readonly workdir?: string;
  readonly process?: ProcessRef;
  /** The uid, gid, slot and loopback address of an isolated cluster (schedulers only). */
  readonly identity?: ClusterIdentity;
}

/** Decodes the process reference field `p`, or undefined. */
function processRef(p: unknown): ProcessRef | undefined {
  if (typeof p !== 'object' || p === null) return undefined;
  const { pid, startTicks } = p as Record<string, unknown>;
  return typeof pid === 'number' && typeof startTicks === 'number'
    ? { pid, startTicks }
    : undefined;
}

/** Decodes the identity field `i`, or undefined. */
function identity(i: unknown): ClusterIdentity | undefined {
  if (typeof i !== 'object' || i === null) return undefined;
  const { slot, uid, gid, address } = i as Record<string, unknown>;
  return isInt(slot) && isInt(uid) && isInt(gid) && typeof address === 'string'
    ? { slot, uid, gid, address }
    : undefined;
}

/** Decodes a local blob (this version or the previous release's); unknown fields are dropped. */
export function decodeLocalState(state: BackendState): LocalState {
  const o = versionedFields(state, LOCAL_STATE_VERSION);
  if (o === null) return {};
  const workdir = typeof o['workdir'] === 'string' ? o['workdir'] : undefined;
  const process = processRef(o['process']);
  const id = identity(o['identity']);
  return {
    ...(workdir === undefined ? {} : { workdir }),
    ...(process === undefined ? {} : { process }),
    ...(id === undefined ? {} : { identity: id }),
  };
}

/** Encodes `s` as a version-1 blob. */
export function encodeLocalState(s: LocalState): BackendState {
  return sealState(LOCAL_STATE_VERSION, s);
}
