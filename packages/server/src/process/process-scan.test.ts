/**
 * Tests for the marker scan: real detached processes carrying (or not) a gateway's instance
 * marker are found, grouped by process group, and killed by group without touching others.
 * @module
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { cleanEnv, isAlive, killAllSpawned, spawnDetached, waitDead } from './fixtures/detached.js';
import {
  groupMarkedProcesses,
  killGroup,
  refOf,
  scanMarkedProcesses,
  type MarkedProcess,
} from './process-scan.js';

after(killAllSpawned);

const MARK = 'GH_TEST_INSTANCE';
const marked = (id: string, extra: Record<string, string> = {}) =>
  cleanEnv({ [MARK]: id, GH_TEST_ROLE: 'worker', ...extra });

describe('scanMarkedProcesses', () => {
  it('finds exactly the processes carrying this marker value, with the asked-for variables', async () => {
    const id = randomUUID();
    const mine = spawnDetached(['sleep', '30'], marked(id, { GH_TEST_CLUSTER: 'c1' }));
    const other = spawnDetached(['sleep', '30'], marked(randomUUID()));
    const none = spawnDetached(['sleep', '30'], cleanEnv());
    const found = scanMarkedProcesses(MARK, id, ['GH_TEST_CLUSTER', 'GH_TEST_MISSING']);
    assert.deepEqual(
      found.map((p) => p.pid),
      [mine.pid]
    );
    const [p] = found;
    assert.ok(p !== undefined);
    assert.equal(p.pgid, mine.pid, 'a detached process leads its own group');
    assert.deepEqual([...p.env], [['GH_TEST_CLUSTER', 'c1']]);
    for (const d of [mine, other, none]) process.kill(-d.pid, 'SIGKILL');
    await Promise.all([mine.exit, other.exit, none.exit]);
    assert.deepEqual(scanMarkedProcesses(MARK, id, []), [], 'dead processes are not listed');
  });

  it('lists the children that inherit the marker in the leader group', async () => {
    const id = randomUUID();
    const d = spawnDetached(['sh', '-c', 'sleep 30 & echo "child $!"; wait'], marked(id));
    const child = Number((await d.line('child ')).split(' ')[1]);
    const groups = groupMarkedProcesses(scanMarkedProcesses(MARK, id, []));
    assert.equal(groups.length, 1);
    const [g] = groups;
    assert.ok(g !== undefined);
    assert.equal(g.pgid, d.pid);
    assert.equal(g.leader?.pid, d.pid);
    assert.deepEqual(
      g.members.map((m) => m.pid),
      [d.pid, child]
    );
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
  });
});

describe('groupMarkedProcesses', () => {
  const p = (pid: number, pgid: number): MarkedProcess => ({
    pid,
    pgid,
    startTicks: pid * 10,
    env: new Map(),
  });

  it('groups by process group, leader first, and marks a group whose leader is gone', () => {
    const groups = groupMarkedProcesses([p(12, 10), p(10, 10), p(11, 10), p(21, 20), p(5, 5)]);
    assert.deepEqual(
      groups.map((g) => [g.pgid, g.leader?.pid ?? null, g.members.map((m) => m.pid)]),
      [
        [5, 5, [5]],
        [10, 10, [10, 11, 12]],
        [20, null, [21]],
      ]
    );
  });

  it('is empty for no processes', () => {
    assert.deepEqual(groupMarkedProcesses([]), []);
  });
});

describe('killGroup', () => {
  it('kills the whole group of a live leader, including members without the marker', async () => {
    const id = randomUUID();
    // The child drops the marker, as a helper process with its own environment would.
    const d = spawnDetached(
      ['sh', '-c', `env -u ${MARK} sleep 30 & echo "child $!"; wait`],
      marked(id)
    );
    const child = Number((await d.line('child ')).split(' ')[1]);
    const bystander = spawnDetached(['sleep', '30'], marked(id));
    const [g] = groupMarkedProcesses(scanMarkedProcesses(MARK, id, [])).filter(
      (x) => x.pgid === d.pid
    );
    assert.ok(g !== undefined);
    assert.deepEqual(
      g.members.map((m) => m.pid),
      [d.pid],
      'the unmarked child is not listed'
    );
    const gone = await killGroup(
      { pgid: g.pgid, leader: g.leader && refOf(g.leader), members: g.members.map(refOf) },
      2
    );
    assert.equal(gone, true);
    assert.equal(await waitDead(child), true, 'the unmarked group member died with the group');
    assert.ok(isAlive(bystander.pid), 'another group was not touched');
    process.kill(-bystander.pid, 'SIGKILL');
    await bystander.exit;
  });

  it('kills only the listed members when the leader is gone, and only if they are the same process', async () => {
    const id = randomUUID();
    const d = spawnDetached(['sh', '-c', 'sleep 30 & echo "child $!"; exit 0'], marked(id));
    const child = Number((await d.line('child ')).split(' ')[1]);
    await d.exit;
    const [g] = groupMarkedProcesses(scanMarkedProcesses(MARK, id, []));
    assert.ok(g !== undefined);
    assert.equal(g.leader, null, 'the leader exited');
    assert.deepEqual(
      g.members.map((m) => m.pid),
      [child]
    );
    const stale = { pid: child, startTicks: (g.members[0]?.startTicks ?? 0) + 1 };
    assert.equal(await killGroup({ pgid: g.pgid, leader: null, members: [stale] }, 0.2), true);
    assert.ok(isAlive(child), 'a pid whose start time does not match is left alone');
    assert.equal(
      await killGroup({ pgid: g.pgid, leader: null, members: g.members.map(refOf) }, 2),
      true
    );
    assert.equal(await waitDead(child), true);
  });
});
