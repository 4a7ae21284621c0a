/**
 * Test helper: gives a cluster record the history of a long-lived adaptive cluster, workers the
 * gateway created and that finished since, without starting any (heartbeat caps follow them).
 * @module
 */
import { Job, type ClusterRecord } from '../src/clusters/model.js';

/** Adds a finished worker record named after each of `names` to `c`. */
export function addFinishedWorkers(c: ClusterRecord, names: Iterable<string>): void {
  for (const name of names) {
    c.workers.set(name, {
      name,
      clusterName: c.name,
      status: Job.STOPPED,
      target: Job.STOPPED,
      state: {},
      closeExpected: true,
      startTime: 0,
      stopTime: 0,
    });
  }
}
