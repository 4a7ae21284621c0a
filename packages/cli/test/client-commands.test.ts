/**
 * The built `gatehouse` command as a subprocess against a real, default-deny Gatehouse with
 * real Dask processes: `admin grant` letting an ungranted user in, `login` and its 0600 file,
 * the seed workflow with `--json` output parsed and checked, and the exit code and advice of
 * each failure.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Gateway, basicAuth } from '@gatehouse/sdk';
import {
  CLI,
  startGatehouse,
  testConfig,
  type GatehouseProcess,
} from '../../sdk/test/gatehouse-process.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gatehouse args…` with only `env` (plus PATH) in its environment. */
function gatehouse(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** A run of a command that prints its result once, with when it printed and when it exited. */
interface TimedRun extends Run {
  /** Seconds from the start to the first output on stdout (its result). */
  readonly printedAfter: number;
  /** Seconds from the start to the exit. */
  readonly exitedAfter: number;
}

/**
 * Runs `gatehouse args…` like {@link gatehouse}, and fails when the command is still running
 * `graceMs` after it printed its result: a command whose work is done must exit, not wait for
 * its `--timeout`. The failure names both times.
 */
function gatehouseExitingAfterResult(
  env: Record<string, string>,
  graceMs: number,
  ...args: string[]
): Promise<TimedRun> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let printedAt: number | null = null;
    let grace: NodeJS.Timeout | undefined;
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (printedAt !== null) return;
      printedAt = Date.now();
      grace = setTimeout(() => {
        child.kill('SIGKILL');
        reject(
          new Error(
            `gatehouse ${args.join(' ')} printed its result after ${String((printedAt ?? t0) - t0)} ms ` +
              `but was still running ${String(graceMs)} ms later (killed); stderr:\n${stderr}`
          )
        );
      }, graceMs);
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(grace);
      const exitedAt = Date.now();
      resolve({
        code,
        stdout,
        stderr,
        printedAfter: ((printedAt ?? exitedAt) - t0) / 1000,
        exitedAfter: (exitedAt - t0) / 1000,
      });
    });
  });
}

/** Parses a command's JSON output, failing with its stderr when it did not succeed. */
// The caller names the JSON shape it expects, as with JSON.parse itself.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function parsed<T>(r: Run): T {
  assert.equal(r.code, 0, `exit ${String(r.code)}; stderr:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface ClusterOut {
  name: string;
  status: string;
  dashboard_link: string | null;
  options: Record<string, unknown>;
  tls_key?: unknown;
}

describe('gatehouse client commands', { timeout: 600_000 }, () => {
  let g: GatehouseProcess;
  let home: string;
  let env: Record<string, string>;
  const as = (user: string) => ({ ...env, GATEHOUSE_USER: user });

  before(async () => {
    g = await startGatehouse();
    home = mkdtempSync(path.join(tmpdir(), 'gatehouse-cli-home-'));
    env = { HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), GATEHOUSE_ADDRESS: g.url };
  });
  after(async () => {
    await g.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('lets an ungranted user in after `admin grant`', async () => {
    const refused = await gatehouse(as('bob'), 'clusters', 'list');
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(refused.stderr, /has not been granted access/);
    assert.match(refused.stderr, /gatehouse admin grant/);

    const granted = await gatehouse(as('admin'), 'admin', 'grant', 'bob');
    assert.equal(granted.code, 0, granted.stderr);
    assert.deepEqual(parsed(await gatehouse(as('bob'), 'clusters', 'list', '--json')), []);
    const users = parsed<Array<{ name: string; granted: boolean }>>(
      await gatehouse(as('admin'), 'admin', 'users', '--json')
    );
    assert.ok(users.some((u) => u.name === 'bob' && u.granted));
  });

  it('runs the seed workflow after `login`, with --json for scripts', async () => {
    const login = await gatehouse(env, 'login', '--user', 'bob', '--password', 'pw');
    assert.equal(login.code, 0, login.stderr);
    const file = path.join(env['XDG_CONFIG_HOME'] ?? '', 'gatehouse', 'config.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), {
      address: g.url,
      auth: { type: 'basic', username: 'bob', password: 'pw' },
    });
    // From here on, only the saved file says where and who.
    const saved = { HOME: home, XDG_CONFIG_HOME: env['XDG_CONFIG_HOME'] ?? '' };
    const me = parsed<{ name: string; address: string }>(
      await gatehouse(saved, 'whoami', '--json')
    );
    assert.deepEqual([me.name, me.address], ['bob', g.url]);

    const fields = parsed<Array<{ field: string }>>(
      await gatehouse(saved, 'clusters', 'options', '--json')
    );
    assert.deepEqual(
      fields.map((f) => f.field),
      ['mode', 'size']
    );

    // It returns once both workers connected, long before its timeout (issue 16).
    const created = await gatehouseExitingAfterResult(
      saved,
      60_000,
      ...['clusters', 'new', '-o', 'size=2', '--workers', '2', '--timeout', '600', '--json']
    );
    const c = parsed<ClusterOut>(created);
    console.log(
      `clusters new --timeout 600: result after ${created.printedAfter.toFixed(1)} s, ` +
        `exit after ${created.exitedAfter.toFixed(1)} s`
    );
    assert.equal(c.status, 'RUNNING');
    assert.deepEqual(c.options, { mode: 'working', size: 2 });
    assert.equal(c.tls_key, undefined);
    assert.ok(c.dashboard_link?.startsWith(`${g.url}/clusters/${c.name}`));
    // The start sequence was shown live on stderr.
    for (const type of ['cluster.created', 'cluster.running', 'worker.running']) {
      assert.match(created.stderr, new RegExp(type.replace('.', '\\.')), created.stderr);
    }

    const listed = parsed<ClusterOut[]>(await gatehouse(saved, 'clusters', 'list', '--json'));
    assert.deepEqual(
      listed.map((x) => [x.name, x.status]),
      [[c.name, 'RUNNING']]
    );
    const table = await gatehouse(saved, 'clusters', 'list');
    assert.match(
      table.stdout,
      /^NAME\s+STATUS\s+WORKERS\s+CORES\s+MEMORY\s+PROFILE\s+AGE\s+COST\n/
    );
    // Two connected workers of 2 cores each and the scheduler's core, in the shared units.
    assert.match(
      table.stdout,
      new RegExp(`${c.name}\\s+RUNNING\\s+2/2\\s+5 cores\\s+\\d+(\\.\\d+)? GiB`)
    );
    const shown = parsed<ClusterOut & Record<string, unknown>>(
      await gatehouse(saved, 'clusters', 'show', c.name, '--json')
    );
    assert.deepEqual(
      [shown.name, shown['workers_running'], shown['workers_starting'], shown['workers_target']],
      [c.name, 2, 0, 2]
    );
    const details = await gatehouse(saved, 'clusters', 'show', c.name);
    assert.match(details.stdout, /^workers: +2 running, 0 starting, target 2$/m);
    assert.match(details.stdout, /^in use: +5 cores, \d+(\.\d+)? GiB$/m);
    assert.deepEqual(parsed(await gatehouse(saved, 'clusters', 'scale', c.name, '1', '--json')), {
      ok: true,
      msg: null,
    });
    const logs = parsed<{ processes: Array<{ kind: string }> }>(
      await gatehouse(saved, 'clusters', 'logs', c.name, '--tail', '20', '--json')
    );
    assert.equal(logs.processes[0]?.kind, 'scheduler');
    const events = parsed<Array<{ type: string }>>(
      await gatehouse(saved, 'clusters', 'events', c.name, '--json')
    );
    assert.ok(
      events.some((e) => e.type === 'cluster.scale'),
      JSON.stringify(events)
    );
    const pool = parsed<{ your_machines: number; new_cluster: { workers_now: number }[] }>(
      await gatehouse(saved, 'pool', '--json')
    );
    assert.ok(pool.your_machines >= 1);
    assert.ok(pool.new_cluster.length >= 1, 'what a new cluster of each profile would get');
    const poolTable = await gatehouse(saved, 'pool');
    assert.equal(poolTable.code, 0, poolTable.stderr);
    assert.match(poolTable.stdout, /new cluster +worker +per machine +workers now/i);
    const everyone = parsed<Array<{ name: string; username: string }>>(
      await gatehouse(as('admin'), 'admin', 'clusters', '--json')
    );
    assert.ok(everyone.some((x) => x.name === c.name && x.username === 'bob'));

    const stop = await gatehouse(saved, 'clusters', 'stop', c.name);
    assert.equal(stop.code, 0, stop.stderr);
    // Awaited through the SDK's long-poll rather than by re-running the command.
    const bob = new Gateway({ address: g.url, auth: basicAuth('bob', 'pw') });
    const signal = AbortSignal.timeout(120_000);
    let status = (await bob.getCluster(c.name)).status;
    while (status !== 'STOPPED')
      status = (await bob.getCluster(c.name, { wait: true, signal })).status;
  });

  it('exits with the documented code and advice for each failure', async () => {
    await gatehouse(as('admin'), 'admin', 'grant', 'carol');
    // No login file here, so no credentials at all.
    const anonymous = {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, 'empty'),
      GATEHOUSE_ADDRESS: g.url,
    };
    const cases: Array<[string, Record<string, string>, string[], number, RegExp]> = [
      ['usage', as('bob'), ['clusters', 'scale', 'x', '-1'], 2, /whole number/],
      ['no address', { HOME: home }, ['clusters', 'list'], 2, /--address URL/],
      [
        'malformed address flag',
        { HOME: home },
        ['--address', 'notaurl', 'clusters', 'list'],
        2,
        /"notaurl" \(from flag --address\) is not a URL/,
      ],
      [
        'malformed address variable',
        { ...as('bob'), GATEHOUSE_ADDRESS: 'ftp://127.0.0.1:1' },
        ['pool'],
        2,
        /\(from GATEHOUSE_ADDRESS\) has the scheme ftp, not http or https/,
      ],
      ['unauthenticated', anonymous, ['clusters', 'list'], 3, /gatehouse login/],
      ['forbidden', as('bob'), ['admin', 'users'], 4, /admin/],
      ['not granted', as('frank'), ['pool'], 5, /admin grant/],
      ['not found', as('bob'), ['clusters', 'show', 'nope'], 6, /clusters list/],
      ['no such request', as('admin'), ['admin', 'deny', '999'], 6, /gatehouse admin requests/],
      ['invalid option', as('bob'), ['clusters', 'new', '-o', 'size=9'], 7, /option size/],
      ['quota', as('carol'), ['clusters', 'new'], 8, /Stop a cluster you no longer need/],
      [
        'unreachable',
        { ...as('bob'), GATEHOUSE_ADDRESS: 'http://127.0.0.1:1' },
        ['pool'],
        11,
        /address/,
      ],
    ];
    for (const [what, e, args, code, advice] of cases) {
      const r = await gatehouse(e, ...args);
      assert.equal(r.code, code, `${what}: exit ${String(r.code)}\n${r.stderr}`);
      assert.match(r.stderr, advice, what);
    }

    const broken = await gatehouse(
      as('bob'),
      'clusters',
      'new',
      '-o',
      'mode=broken',
      '--timeout',
      '300'
    );
    assert.equal(broken.code, 9, broken.stderr);
    assert.match(broken.stderr, /cluster\.failed/);
    assert.match(broken.stderr, /no scheduler today/);
    assert.match(broken.stderr, /gatehouse clusters logs/);

    // Without --workers it returns as soon as the cluster is RUNNING, long before its timeout.
    const plain = await gatehouseExitingAfterResult(
      as('bob'),
      60_000,
      ...['clusters', 'new', '--timeout', '600', '--json']
    );
    const running = parsed<ClusterOut>(plain);
    console.log(
      `clusters new --timeout 600 (no workers): result after ${plain.printedAfter.toFixed(1)} s, ` +
        `exit after ${plain.exitedAfter.toFixed(1)} s`
    );
    assert.equal(running.status, 'RUNNING');
    assert.ok(plain.exitedAfter < 120, `exited after ${String(plain.exitedAfter)} s`);
    assert.equal((await gatehouse(as('bob'), 'clusters', 'stop', running.name)).code, 0);

    const slow = await gatehouse(as('bob'), 'clusters', 'new', '--timeout', '0.05', '--json');
    assert.equal(slow.code, 12, slow.stderr);
    const name = /cluster (\w+) is not ready/.exec(slow.stderr)?.[1] ?? '';
    assert.match(slow.stderr, /clusters stop/);
    assert.equal((await gatehouse(as('bob'), 'clusters', 'stop', name)).code, 0);
  });

  it('redraws `clusters list --watch` when a cluster appears, until Ctrl-C', async () => {
    const child = spawn(process.execPath, [CLI, 'clusters', 'list', '--watch'], {
      env: { PATH: process.env['PATH'] ?? '', ...as('bob') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const seen: Array<{ text: string; resolve: () => void }> = [];
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      for (const s of seen) if (stdout.includes(s.text)) s.resolve();
    });
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const printed = (text: string) =>
      new Promise<void>((resolve) => {
        if (stdout.includes(text)) resolve();
        else seen.push({ text, resolve });
      });
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    await printed('\n');
    const bob = new Gateway({ address: g.url, auth: basicAuth('bob') });
    const name = await bob.newCluster({ mode: 'working', size: 1 });
    try {
      await printed(name);
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
    } finally {
      child.kill('SIGKILL');
      await bob.stopCluster(name);
    }
  });

  it('says a wrong password is wrong, with exit code 3', async () => {
    const guarded = await startGatehouse((dir) => ({
      ...testConfig(dir),
      auth: { type: 'basic', password: 'right' },
      access: { grant_all_authenticated: true, bootstrap_admin_token: false },
    }));
    try {
      const address = { HOME: home, GATEHOUSE_ADDRESS: guarded.url, GATEHOUSE_USER: 'bob' };
      const wrong = await gatehouse({ ...address, GATEHOUSE_PASSWORD: 'wrong' }, 'pool');
      assert.equal(wrong.code, 3, wrong.stderr);
      assert.match(wrong.stderr, /wrong user name or password \(user bob\)/);
      assert.doesNotMatch(wrong.stderr, /Authentication required/);
      // Control: the right password gets in.
      const right = await gatehouse({ ...address, GATEHOUSE_PASSWORD: 'right' }, 'pool');
      assert.equal(right.code, 0, right.stderr);
    } finally {
      await guarded.stop();
    }
  });

  it('exits 10 when the gateway fails, here reaching its JupyterHub', async () => {
    const hubless = await startGatehouse((dir) => ({
      ...testConfig(dir),
      auth: { type: 'jupyterhub', api_url: 'http://127.0.0.1:1/hub/api', api_token: 'x' },
    }));
    try {
      const r = await gatehouse(
        { HOME: home },
        '--address',
        hubless.url,
        '--hub-token',
        't',
        'pool'
      );
      assert.equal(r.code, 10, r.stderr);
      assert.match(r.stderr, /gateway log/);
    } finally {
      await hubless.stop();
    }
  });
});
