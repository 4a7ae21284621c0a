/**
 * Cross-module tests of clean restarts and fault-point wiring, with real gateways (file store)
 * started in this process and "inert" schedulers (`sleep`, which never heartbeats, so nothing
 * needs Python): an armed fault point reaches the injected handler through the composition
 * root; a restarted gateway keeps the processes its records name and kills those no record
 * claims (a scheduler spawned just before a crash, processes of a final cluster), and never
 * touches a process carrying another gateway's instance id.
 * @module
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/gateway.js';
import type { FaultPoint } from '../src/faults/fault-points.js';
import { Job } from '../src/clusters/model.js';
import { decodeLocalState } from '../src/backends/local/local-state.js';
import { processStartTicks } from '../src/process/process-identity.js';

const dirs: string[] = [];
const strays: number[] = [];
after(() => {
  for (const pid of strays) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function configIn(dataDir: string, crashAt: FaultPoint | null = null) {
  return loadConfig({
    values: {
      listen: '127.0.0.1:0',
      data_dir: dataDir,
      stop_clusters_on_shutdown: false,
      access: { grant_all_authenticated: true, bootstrap_admin_token: false },
      backend: {
        type: 'local',
        sigint_timeout: 1,
        sigterm_timeout: 1,
        sigkill_timeout: 2,
        orphan_scan_period: 0,
      },
      cluster: { scheduler_cmd: ['/bin/sh', '-c', 'exec sleep 300', 'sh'] },
      testing: { crash_at: crashAt },
    },
    env: {},
    defaultPythonEnv: '/nonexistent',
  });
}

const quiet = pino({ level: 'silent' });
const auth = { Authorization: `Basic ${Buffer.from('ann:x').toString('base64')}` };

async function create(g: Gateway): Promise<string> {
  const res = await fetch(`${g.url}/api/v1/clusters/`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { name: string }).name;
}

async function until(what: string, fn: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const alive = (pid: number) => processStartTicks(pid) !== null;

/** A detached `sleep` with the given marker variables, as a gateway would have started it. */
function strayProcess(env: Record<string, string>): number {
  const child = spawn('sleep', ['300'], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env },
  });
  child.unref();
  assert.ok(child.pid !== undefined);
  strays.push(child.pid);
  return child.pid;
}

function dataDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-restart-'));
  dirs.push(d);
  return d;
}

describe('fault points through the composition root', () => {
  it('an armed point calls the injected handler once, when reached; others never', async () => {
    const fired: FaultPoint[] = [];
    const g = await startGateway(configIn(dataDir(), 'create.scheduler_saved'), {
      log: quiet,
      onFaultPoint: (p) => fired.push(p),
    });
    try {
      const name = await create(g);
      await until('the scheduler to be saved', () => fired.length > 0);
      assert.deepEqual(fired, ['create.scheduler_saved']);
      assert.equal(g.manager.get(name)?.status, Job.SUBMITTED);
      await create(g);
      await g.manager.idle();
      assert.deepEqual(fired, ['create.scheduler_saved'], 'a point fires once');
      for (const c of g.manager.all()) await g.manager.stop(c, 'user');
      await g.manager.idle();
    } finally {
      await g.stop();
    }
  });
});

describe('restart', () => {
  it('keeps recorded processes, kills unclaimed ones of this gateway only', async () => {
    const dir = dataDir();
    const first = await startGateway(configIn(dir), { log: quiet });
    const kept = await create(first);
    const stopped = await create(first);
    await first.manager.idle();
    const keptPid = decodeLocalState(first.manager.get(kept)?.state ?? {}).process?.pid;
    const stoppedRecord = first.manager.get(stopped);
    assert.ok(keptPid !== undefined && stoppedRecord !== undefined);
    await first.manager.stop(stoppedRecord, 'user');
    await first.manager.idle();
    assert.equal(stoppedRecord.status, Job.STOPPED);
    const id = first.instanceId;
    await first.stop();
    assert.ok(alive(keptPid), 'clusters outlive a gateway that does not stop them');

    // What a crash can leave: a scheduler spawned for a known cluster whose pid was never
    // saved, a worker of a cluster that is already STOPPED, one of a deleted cluster; and a
    // process of another gateway, which must survive.
    const unsaved = strayProcess({ DASK_GATEWAY_INSTANCE: id, DASK_GATEWAY_CLUSTER_NAME: kept });
    const ofStopped = strayProcess({
      DASK_GATEWAY_INSTANCE: id,
      DASK_GATEWAY_CLUSTER_NAME: stopped,
      DASK_GATEWAY_WORKER_NAME: 'w1',
    });
    const ofDeleted = strayProcess({ DASK_GATEWAY_INSTANCE: id, DASK_GATEWAY_CLUSTER_NAME: 'x' });
    const foreign = strayProcess({
      DASK_GATEWAY_INSTANCE: 'other',
      DASK_GATEWAY_CLUSTER_NAME: kept,
    });
    await until('the strays to run', () => [unsaved, ofStopped, ofDeleted, foreign].every(alive));

    const second = await startGateway(configIn(dir), { log: quiet });
    try {
      assert.equal(second.instanceId, id, 'the instance id is kept in the database');
      // Killed before start-up finished: nothing to wait for.
      for (const pid of [unsaved, ofStopped, ofDeleted])
        assert.equal(alive(pid), false, `pid ${String(pid)}`);
      assert.ok(alive(keptPid), 'the recorded scheduler was adopted');
      assert.ok(alive(foreign), "another gateway's process was left alone");
      assert.equal(second.manager.get(kept)?.status, Job.SUBMITTED);
      assert.equal(second.manager.get(stopped)?.status, Job.STOPPED);
      const c = second.manager.get(kept);
      assert.ok(c !== undefined);
      await second.manager.stop(c, 'user');
      await second.manager.idle();
      assert.equal(alive(keptPid), false);
    } finally {
      await second.stop();
    }
  });
});
