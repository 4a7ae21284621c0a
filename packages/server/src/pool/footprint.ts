/**
 * A worker's footprint in the shared pool: the cores and memory one worker takes on a machine.
 * By default it is what the cluster's config gives each worker (`worker_cores`, `worker_memory`).
 * A backend whose scheduler packs by something else (Kubernetes packs pods by their requests)
 * gives the composition another footprint function, chosen once; the packer never asks which
 * backend runs.
 * @module
 */
import type { ClusterRecord } from '../clusters/model.js';

/** The room one worker takes on a machine (memory in bytes). */
export interface Footprint {
  readonly cores: number;
  readonly memory: number;
}

/** What a footprint is decided from: the cluster's options (its profile) and its config. */
export type FootprintSubject = Pick<ClusterRecord, 'options'> & {
  readonly config: Pick<ClusterRecord['config'], 'worker_cores' | 'worker_memory'>;
};

/** The footprint of one worker of a cluster. */
export type WorkerFootprint = (c: FootprintSubject) => Footprint;

/** The default: a worker takes the cores and memory its config gives it. */
export const configuredFootprint: WorkerFootprint = (c) => ({
  cores: c.config.worker_cores,
  memory: c.config.worker_memory,
});

/**
 * A footprint by profile: a cluster whose `profile` option names one of `byProfile` takes that
 * footprint (for Kubernetes, the profile's pod requests); any other takes `otherwise` (by
 * default its configured size).
 */
export function footprintByProfile(
  byProfile: ReadonlyMap<string, Footprint>,
  otherwise: WorkerFootprint = configuredFootprint
): WorkerFootprint {
  return (c) => {
    const profile = c.options['profile'];
    const own = typeof profile === 'string' ? byProfile.get(profile) : undefined;
    return own ?? otherwise(c);
  };
}
