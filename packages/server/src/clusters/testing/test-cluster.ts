/**
 * A complete cluster record for unit tests (a running cluster `c1` of alice with one wanted
 * worker and dummy credentials), so each test states only the fields it is about.
 * @module
 */
import { resolveClusterConfig } from '../../cluster-options/cluster-config.js';
import { Job, type ClusterRecord } from '../model.js';

/** A cluster record with test defaults, overridden by `over`. */
export function testCluster(over: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    name: 'c1',
    username: 'alice',
    options: {},
    config: resolveClusterConfig({}, {}).config,
    status: Job.RUNNING,
    target: Job.RUNNING,
    count: 1,
    state: {},
    token: 't',
    tlsCert: 'cert',
    tlsKey: 'key',
    schedulerAddress: '',
    dashboardAddress: '',
    apiAddress: '',
    startTime: 1_700_000_000_000,
    stopTime: null,
    stopReason: null,
    failures: 0,
    failure: null,
    lastHeartbeat: 0,
    workers: new Map(),
    ...over,
  };
}
