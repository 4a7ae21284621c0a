/**
 * Tests for the SIGINT → SIGTERM → SIGKILL ladder (spec §5.6) on real detached processes, with
 * tiny timeouts.
 * @module
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { cleanEnv, isAlive, killAllSpawned, spawnDetached, waitDead } from './fixtures/detached.js';
import { identify } from './process-identity.js';
import { stopProcessGroup, type StopTimeouts } from './stop-process.js';

after(killAllSpawned);

const FAST: StopTimeouts = { sigint_timeout: 0.3, sigterm_timeout: 0.3, sigkill_timeout: 1 };

function refOf(pid: number) {
  const ref = identify(pid);
  assert.ok(ref !== null, `process ${String(pid)} is not running`);
  return ref;
}

describe('stopProcessGroup', () => {
  it('stops a plain process with SIGINT', async () => {
    const d = spawnDetached(['sleep', '30'], cleanEnv());
    const started = Date.now();
    assert.equal(await stopProcessGroup(refOf(d.pid), FAST), true);
    assert.deepEqual(await d.exit, { code: null, signal: 'SIGINT' });
    assert.ok(Date.now() - started < 300, 'no need to wait for the SIGINT timeout');
  });

  it('stops a process that ignores SIGINT with SIGTERM, after the SIGINT timeout', async () => {
    const d = spawnDetached(['sh', '-c', 'trap "" INT; echo ready; sleep 30'], cleanEnv());
    await d.line('ready');
    const started = Date.now();
    assert.equal(await stopProcessGroup(refOf(d.pid), FAST), true);
    const elapsed = Date.now() - started;
    assert.deepEqual(await d.exit, { code: null, signal: 'SIGTERM' });
    assert.ok(elapsed >= 290, `SIGTERM came after ${String(elapsed)} ms`);
  });

  it(
    'counts its timeouts on the injected clock, not real time (issue 15 item 7)',
    { timeout: 20_000 },
    async () => {
      const d = spawnDetached(['sh', '-c', 'trap "" INT; echo ready; sleep 30'], cleanEnv());
      await d.line('ready');
      // An hour per signal on the wall clock; the injected clock passes the SIGINT hour at once
      // (its first two looks: the deadline, then past it), then stands still.
      const HOUR: StopTimeouts = {
        sigint_timeout: 3600,
        sigterm_timeout: 3600,
        sigkill_timeout: 5,
      };
      let now = 0;
      let looks = 0;
      const clock = { now: () => (looks++ < 2 ? (now += 3_601_000) : now) };
      assert.equal(await stopProcessGroup(refOf(d.pid), HOUR, clock), true);
      assert.deepEqual(await d.exit, { code: null, signal: 'SIGTERM' });
    }
  );

  it('stops a process that ignores SIGINT and SIGTERM with SIGKILL', async () => {
    const d = spawnDetached(['sh', '-c', 'trap "" INT TERM; echo ready; sleep 30'], cleanEnv());
    await d.line('ready');
    const started = Date.now();
    assert.equal(await stopProcessGroup(refOf(d.pid), FAST), true);
    const elapsed = Date.now() - started;
    assert.deepEqual(await d.exit, { code: null, signal: 'SIGKILL' });
    assert.ok(elapsed >= 590, `SIGKILL came after ${String(elapsed)} ms`);
  });

  it('kills the rest of the group once the leader is gone', async () => {
    // The leader dies on SIGINT; its background child (in the same group) ignores SIGINT, as
    // background jobs of a non-interactive shell do, and would otherwise linger.
    const d = spawnDetached(['sh', '-c', 'sleep 30 & echo "child $!"; wait'], cleanEnv());
    const child = Number((await d.line('child ')).split(' ')[1]);
    assert.ok(isAlive(child));
    assert.equal(await stopProcessGroup(refOf(d.pid), FAST), true);
    assert.equal(await waitDead(child), true, 'the group member was killed');
  });

  it('kills the group after a SIGTERM, including a child that ignores both signals', async () => {
    const d = spawnDetached(
      ['sh', '-c', 'trap "" INT; (trap "" INT TERM; exec sleep 30) & echo "child $!"; wait'],
      cleanEnv()
    );
    const child = Number((await d.line('child ')).split(' ')[1]);
    assert.equal(await stopProcessGroup(refOf(d.pid), FAST), true);
    assert.equal((await d.exit).signal, 'SIGTERM');
    assert.equal(await waitDead(child), true);
  });

  it('sends SIGINT to the leader only, then SIGKILL to the group', async () => {
    // A node leader exits cleanly on SIGINT; its node child (same group) reports any SIGINT it
    // gets. A group-wide SIGINT would make the child print before it dies.
    const childScript = [
      "process.on('SIGINT', () => { console.log('child-got-int'); process.exit(0); });",
      'console.log(`child-ready ${process.pid}`);',
      'setInterval(() => undefined, 1000);',
    ].join(' ');
    const leaderScript = [
      "const { spawn } = require('node:child_process');",
      `spawn(process.execPath, ['-e', ${JSON.stringify(childScript)}], { stdio: ['ignore', 'inherit', 'ignore'] });`,
      "process.on('SIGINT', () => process.exit(0));",
      'setInterval(() => undefined, 1000);',
    ].join(' ');
    const d = spawnDetached([process.execPath, '-e', leaderScript], cleanEnv());
    const child = Number((await d.line('child-ready ')).split(' ')[1]);
    assert.equal(await stopProcessGroup(refOf(d.pid), FAST), true);
    assert.deepEqual(await d.exit, { code: 0, signal: null });
    assert.equal(await waitDead(child), true, 'the child was killed with the group');
    // Every writer of the pipe is gone now, so all output has arrived once it closes.
    if (d.child.stdout !== null && !d.child.stdout.closed) await once(d.child.stdout, 'close');
    assert.ok(!d.lines.includes('child-got-int'), `the child saw SIGINT: ${d.lines.join('|')}`);
  });

  it('returns true at once for a process that already exited', async () => {
    const d = spawnDetached(['sleep', '30'], cleanEnv());
    const ref = refOf(d.pid);
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
    const started = Date.now();
    assert.equal(await stopProcessGroup(ref, FAST), true);
    assert.ok(Date.now() - started < 100);
  });

  it('leaves alone a process whose start time does not match (a reused pid)', async () => {
    const d = spawnDetached(['sleep', '30'], cleanEnv());
    const ref = refOf(d.pid);
    assert.equal(
      await stopProcessGroup({ pid: ref.pid, startTicks: ref.startTicks + 1 }, FAST),
      true
    );
    assert.equal(
      await stopProcessGroup({ pid: ref.pid, startTicks: ref.startTicks - 1 }, FAST),
      true
    );
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(isAlive(d.pid), 'the unrelated process must not be signalled');
    process.kill(-d.pid, 'SIGKILL');
    await d.exit;
  });

  it('zero timeouts still climb the whole ladder', async () => {
    const d = spawnDetached(['sh', '-c', 'trap "" INT TERM; echo ready; sleep 30'], cleanEnv());
    await d.line('ready');
    const ok = await stopProcessGroup(refOf(d.pid), {
      sigint_timeout: 0,
      sigterm_timeout: 0,
      sigkill_timeout: 1,
    });
    assert.equal(ok, true);
    assert.equal((await d.exit).signal, 'SIGKILL');
  });
});
