/**
 * The Slurm backend's state codec: a job's id, and the staging directory of a cluster; with
 * `scheduler_placement: local`, a scheduler's blob is the local backend's (process reference).
 * Version 1 adds `v: 1` to what the previous release stored; unversioned records decode alike.
 * @module
 */
import type { BackendState } from '../../clusters/model.js';
import { sealState, versionedFields } from '../backend-state.js';
import { decodeLocalState, type LocalState } from '../local/local-state.js';

/** The blob version this codec writes (the local part has the same). */
export const SLURM_STATE_VERSION = 1;

/** What the Slurm backend remembers of a submitted job (or a local scheduler). */
export interface SlurmState extends LocalState {
  /** The job id `sbatch` gave. */
  readonly jobId?: string;
}

/** Decodes a Slurm blob (this version or the previous release's). */
export function decodeSlurmState(state: BackendState): SlurmState {
  const o = versionedFields(state, SLURM_STATE_VERSION);
  if (o === null) return {};
  const jobId = o['jobId'];
  return { ...decodeLocalState(state), ...(typeof jobId === 'string' ? { jobId } : {}) };
}

/** Encodes `s` as a version-1 blob. */
export function encodeSlurmState(s: SlurmState): BackendState {
  return sealState(SLURM_STATE_VERSION, s);
}
