/**
 * Tests for the orphan decision: which process groups live records claim (pid, start time,
 * cluster and worker names) and the two-scan grace while the gateway runs.
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  groupClaimedBy,
  ownedGroup,
  type OwnedProcessGroup,
} from '../backends/local/owned-groups.js';
import { encodeLocalState } from '../backends/local/local-state.js';
import { createOrphanTracker, isClaimed as isClaimedBy } from './orphans.js';
import { Job, type ClusterRecord, type JobStatus, type WorkerRecord } from './model.js';

const ref = (pid: number) => ({ pid, startTicks: pid * 100 });

function cluster(name: string, status: JobStatus, pid: number | null): ClusterRecord {
  return {
    name,
    status,
    target: Job.RUNNING,
    state: pid === null ? {} : { process: ref(pid) },
    workers: new Map(),
  } as unknown as ClusterRecord;
}

function worker(c: ClusterRecord, name: string, status: JobStatus, pid: number | null): void {
  const w = {
    name,
    clusterName: c.name,
    status,
    target: Job.RUNNING,
    state: pid === null ? {} : { process: ref(pid) },
  } as unknown as WorkerRecord;
  c.workers.set(name, w);
}

function group(
  clusterName: string,
  workerName: string | null,
  pid: number,
  leader = true
): OwnedProcessGroup {
  const members = leader ? [ref(pid), ref(pid + 1)] : [ref(pid + 1)];
  return ownedGroup(clusterName, workerName, pid, leader ? ref(pid) : null, members);
}

/** The orphan decision with the local backend's claim check (a recorded leader). */
const isClaimed = (g: OwnedProcessGroup, clusters: Map<string, ClusterRecord>) =>
  isClaimedBy(g, clusters, groupClaimedBy);
const groupKey = (g: OwnedProcessGroup) => g.key;

const mapOf = (...cs: ClusterRecord[]) => new Map(cs.map((c) => [c.name, c]));

describe('isClaimed', () => {
  const a = cluster('a', Job.RUNNING, 100);
  worker(a, 'w1', Job.RUNNING, 200);
  worker(a, 'w2', Job.CREATED, null);
  worker(a, 'old', Job.STOPPED, 300);
  const done = cluster('done', Job.STOPPED, 400);
  const fresh = cluster('fresh', Job.CREATED, null);
  const clusters = mapOf(a, done, fresh);

  it('claims the recorded scheduler and workers of live clusters', () => {
    assert.equal(isClaimed(group('a', null, 100), clusters), true);
    assert.equal(isClaimed(group('a', 'w1', 200), clusters), true);
  });

  it('does not claim a process whose pid or start time the record does not name', () => {
    assert.equal(isClaimed(group('a', null, 101), clusters), false, 'another pid');
    const reused = { ...group('a', null, 100), leader: { pid: 100, startTicks: 1 } };
    assert.equal(isClaimed(reused, clusters), false, 'a reused pid');
    assert.equal(isClaimed(group('fresh', null, 500), clusters), false, 'never recorded');
    assert.equal(isClaimed(group('a', 'w2', 600), clusters), false, 'worker never recorded');
  });

  it('does not claim across names: a worker pid as scheduler, or another cluster', () => {
    assert.equal(isClaimed(group('a', null, 200), clusters), false);
    assert.equal(isClaimed(group('a', 'w2', 200), clusters), false);
    assert.equal(isClaimed(group('fresh', null, 100), clusters), false);
  });

  it('does not claim processes of final records, unknown clusters, or leaderless groups', () => {
    assert.equal(isClaimed(group('a', 'old', 300), clusters), false);
    assert.equal(isClaimed(group('done', null, 400), clusters), false);
    assert.equal(isClaimed(group('deleted', null, 700), clusters), false);
    assert.equal(isClaimed(group('a', null, 100, false), clusters), false);
  });
});

describe('createOrphanTracker', () => {
  const a = cluster('a', Job.RUNNING, 100);
  const clusters = mapOf(a);
  const claimed = group('a', null, 100);
  const orphan = group('gone', null, 900);
  const keys = (gs: OwnedProcessGroup[]) => gs.map(groupKey);

  it('without grace, reports every unclaimed group at once', () => {
    const t = createOrphanTracker(groupClaimedBy);
    assert.deepEqual(keys(t.orphans([claimed, orphan], clusters, false)), [groupKey(orphan)]);
  });

  it('with grace, reports a group only when it was unclaimed at the previous scan too', () => {
    const t = createOrphanTracker(groupClaimedBy);
    assert.deepEqual(t.orphans([claimed, orphan], clusters, true), []);
    assert.deepEqual(keys(t.orphans([claimed, orphan], clusters, true)), [groupKey(orphan)]);
    // Reported once: a group still there at the next scan starts its grace again.
    assert.deepEqual(t.orphans([claimed, orphan], clusters, true), []);
  });

  it('forgets a candidate that a record claimed in between (a spawn being recorded)', () => {
    const t = createOrphanTracker(groupClaimedBy);
    const b = cluster('b', Job.SUBMITTED, null);
    const spawning = group('b', null, 800);
    assert.deepEqual(t.orphans([spawning], mapOf(b), true), []);
    b.state = encodeLocalState({ process: ref(800) });
    assert.deepEqual(t.orphans([spawning], mapOf(b), true), []);
    b.status = Job.STOPPED;
    assert.deepEqual(t.orphans([spawning], mapOf(b), true), [], 'grace starts afresh');
    assert.deepEqual(keys(t.orphans([spawning], mapOf(b), true)), [groupKey(spawning)]);
  });
});
