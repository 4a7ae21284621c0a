/**
 * Tests for process identity: start ticks from /proc, the cluster marker in the environment,
 * and detection of a reused pid. Spawns real (detached) `sleep` processes.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { cleanEnv, killAllSpawned, spawnDetached } from './fixtures/detached.js';
import { identify, isSameProcess, processEnvValue, processStartTicks } from './process-identity.js';

after(killAllSpawned);

/** A pid that is not in use (above the usual pid_max, so never a live process). */
const NO_SUCH_PID = 2 ** 22 + 12345;

describe('processStartTicks', () => {
  it('reads a positive integer for this process, stable across calls', () => {
    const t = processStartTicks(process.pid);
    assert.ok(t !== null && Number.isInteger(t) && t > 0, `got ${String(t)}`);
    assert.equal(processStartTicks(process.pid), t);
  });

  it('is null for a pid that does not exist', () => {
    assert.equal(processStartTicks(NO_SUCH_PID), null);
  });

  it('orders processes by start time', async () => {
    const before = processStartTicks(process.pid) ?? Infinity;
    const d = spawnDetached(['sleep', '30'], cleanEnv());
    const t = processStartTicks(d.pid);
    assert.ok(t !== null && t >= before);
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
  });

  it('parses a command name with spaces and parentheses', async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-ident-'));
    t.after(() => {
      rmSync(dir, { recursive: true, force: true });
    });
    // The command name (field 2) comes from the executable's file name.
    const weird = path.join(dir, 'a) b (c) d');
    symlinkSync('/bin/sleep', weird);
    const normal = spawnDetached(['sleep', '30'], cleanEnv());
    const odd = spawnDetached([weird, '30'], cleanEnv());
    const a = processStartTicks(normal.pid);
    const b = processStartTicks(odd.pid);
    assert.ok(a !== null && b !== null);
    // Started within the same second (100 ticks at the usual CLK_TCK); a mis-split line would
    // read some other field entirely.
    assert.ok(Math.abs(b - a) < 100, `start ticks ${String(a)} vs ${String(b)}`);
    process.kill(-normal.pid, 'SIGKILL');
    process.kill(-odd.pid, 'SIGKILL');
    await Promise.all([normal.exit, odd.exit]);
  });

  it('is null for a zombie', async () => {
    // sh starts a child that exits at once, then becomes `sleep`, which never reaps it.
    const d = spawnDetached(
      ['sh', '-c', 'sh -c "exit 0" & echo "zombie $!"; exec sleep 30'],
      cleanEnv()
    );
    const zombie = Number((await d.line('zombie ')).split(' ')[1]);
    assert.ok(Number.isInteger(zombie) && zombie > 0);
    const deadline = Date.now() + 2000;
    while (processStartTicks(zombie) !== null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(processStartTicks(zombie), null);
    assert.equal(identify(zombie), null);
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
  });
});

describe('processEnvValue', () => {
  it('reads a variable from the environment the process started with', async () => {
    const d = spawnDetached(
      ['sleep', '30'],
      cleanEnv({ DASK_GATEWAY_CLUSTER_NAME: 'c1', GH_TEST_VALUE: 'a=b c' })
    );
    assert.equal(processEnvValue(d.pid, 'DASK_GATEWAY_CLUSTER_NAME'), 'c1');
    assert.equal(processEnvValue(d.pid, 'GH_TEST_VALUE'), 'a=b c', 'splits at the first =');
    assert.equal(processEnvValue(d.pid, 'GH_TEST'), null, 'whole names only');
    assert.equal(processEnvValue(d.pid, 'GH_TEST_VALUE_MISSING'), null);
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
  });

  it('is null for a pid that does not exist', () => {
    assert.equal(processEnvValue(NO_SUCH_PID, 'PATH'), null);
  });
});

describe('identify and isSameProcess', () => {
  it('identifies a live process by pid and start ticks', async () => {
    const d = spawnDetached(['sleep', '30'], cleanEnv({ DASK_GATEWAY_CLUSTER_NAME: 'c1' }));
    const ref = identify(d.pid);
    assert.deepEqual(ref, { pid: d.pid, startTicks: processStartTicks(d.pid) });
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
  });

  it('recognizes the process started for the cluster', async () => {
    const d = spawnDetached(['sleep', '30'], cleanEnv({ DASK_GATEWAY_CLUSTER_NAME: 'c1' }));
    const ref = identify(d.pid);
    assert.ok(ref !== null);
    assert.equal(isSameProcess(ref, 'c1'), true);
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
  });

  it('rejects another cluster name', async () => {
    const d = spawnDetached(['sleep', '30'], cleanEnv({ DASK_GATEWAY_CLUSTER_NAME: 'c1' }));
    const ref = identify(d.pid);
    assert.ok(ref !== null);
    assert.equal(isSameProcess(ref, 'c2'), false);
    assert.equal(isSameProcess(ref, ''), false);
    assert.equal(isSameProcess(ref, 'c'), false);
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
  });

  it('rejects a process without the cluster marker', async () => {
    const d = spawnDetached(['sleep', '30'], cleanEnv());
    const ref = identify(d.pid);
    assert.ok(ref !== null);
    assert.equal(isSameProcess(ref, 'c1'), false);
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
  });

  it('detects a reused pid through a different start time', async () => {
    const d = spawnDetached(['sleep', '30'], cleanEnv({ DASK_GATEWAY_CLUSTER_NAME: 'c1' }));
    const ref = identify(d.pid);
    assert.ok(ref !== null);
    // The recorded process started earlier or later than the one now holding the pid.
    assert.equal(isSameProcess({ pid: ref.pid, startTicks: ref.startTicks - 1 }, 'c1'), false);
    assert.equal(isSameProcess({ pid: ref.pid, startTicks: ref.startTicks + 1 }, 'c1'), false);
    assert.equal(isSameProcess({ pid: ref.pid, startTicks: 0 }, 'c1'), false);
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
  });

  it('detects a recorded pid now used by another process of the same cluster name', async () => {
    const first = spawnDetached(['sleep', '30'], cleanEnv({ DASK_GATEWAY_CLUSTER_NAME: 'c1' }));
    const second = spawnDetached(['sleep', '30'], cleanEnv({ DASK_GATEWAY_CLUSTER_NAME: 'c1' }));
    const a = identify(first.pid);
    const b = identify(second.pid);
    assert.ok(a !== null && b !== null);
    assert.equal(isSameProcess({ pid: b.pid, startTicks: a.startTicks + 1000 }, 'c1'), false);
    process.kill(-first.pid, 'SIGKILL');
    process.kill(-second.pid, 'SIGKILL');
    await Promise.all([first.exit, second.exit]);
  });

  it('forgets a process once it exited', async () => {
    const d = spawnDetached(['sleep', '30'], cleanEnv({ DASK_GATEWAY_CLUSTER_NAME: 'c1' }));
    const ref = identify(d.pid);
    assert.ok(ref !== null);
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
    assert.equal(identify(d.pid), null);
    assert.equal(isSameProcess(ref, 'c1'), false);
  });

  it('identify is null for a pid that does not exist', () => {
    assert.equal(identify(NO_SUCH_PID), null);
    assert.equal(isSameProcess({ pid: NO_SUCH_PID, startTicks: 1 }, 'c1'), false);
  });
});
