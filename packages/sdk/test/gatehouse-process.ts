/**
 * Test helper: runs a real Gatehouse as a subprocess of the built CLI (`gatehouse serve` on
 * port 0, the URL read from its log), as `python/tests/gatehouse_fixture.py` does, so SDK and
 * CLI tests exercise the server without importing its code. `stop()` fails if any scheduler
 * or worker process of the gateway outlives it.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The built `gatehouse` command. */
export const CLI = path.join(ROOT, 'packages', 'cli', 'bin', 'gatehouse.js');

/**
 * A default-deny gateway: `admin` is the admin, nobody else is granted; `carol` may have no
 * cluster; the `mode` option picks a working or a failing scheduler; the `size` option is an
 * integer from 1 to 2.
 */
export function testConfig(dataDir: string): Record<string, unknown> {
  return {
    listen: '127.0.0.1:0',
    data_dir: dataDir,
    log: { level: 'debug' },
    stop_clusters_on_shutdown: true,
    access: {
      grant_all_authenticated: false,
      bootstrap_admin_token: false,
      admin_users: ['admin'],
    },
    quotas: { users: { carol: { max_clusters: 0 } } },
    backend: {
      type: 'local',
      heartbeat_period: 2,
      heartbeat_timeout: 60,
      check_timeouts_period: 0.5,
      cluster_status_period: 1,
      worker_status_period: 1,
      sigint_timeout: 5,
    },
    options: [
      {
        type: 'select',
        field: 'mode',
        default: 'working',
        target: 'scheduler_cmd',
        options: [
          { key: 'working', value: ['python', '-m', 'distributed.cli.dask_scheduler'] },
          {
            key: 'broken',
            value: ['python', '-c', "import sys; print('no scheduler today'); sys.exit(3)"],
          },
        ],
      },
      { type: 'int', field: 'size', default: 1, min: 1, max: 2, target: 'worker_cores' },
    ],
  };
}

/** One running gateway process. */
export interface GatehouseProcess {
  /** The gateway's address, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** Its working directory (config, data, log). */
  readonly dir: string;
  /** The log so far. */
  log(): string;
  /** SIGTERM, wait for exit, then wait for its cluster processes to be gone (throws if not). */
  stop(): Promise<void>;
}

/** Pids of live processes started for clusters of the gateway at `url`. */
export function clusterProcesses(url: string): number[] {
  const needle = `DASK_GATEWAY_API_URL=${url}/api`;
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const env = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      const state = readFileSync(`/proc/${entry}/stat`, 'latin1').split(')').at(-1)?.trim()[0];
      if (env.includes(needle) && state !== 'Z' && state !== 'X') pids.push(Number(entry));
    } catch {
      // The process ended meanwhile, or is not ours to read.
    }
  }
  return pids;
}

/** Polls `check` every 100 ms until it is true; throws `what` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean,
  timeoutMs: number,
  what: string
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${String(timeoutMs)} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Starts a gateway with `config` (default: {@link testConfig}); resolves once it serves. */
export async function startGatehouse(
  config?: (dataDir: string) => Record<string, unknown>
): Promise<GatehouseProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-sdk-'));
  const file = path.join(dir, 'gatehouse.json');
  writeFileSync(file, JSON.stringify((config ?? testConfig)(path.join(dir, 'data'))));
  const logFile = path.join(dir, 'gatehouse.log');
  const fd = openSync(logFile, 'a');
  // The log goes to a file, not a pipe, so a chatty gateway never blocks on a full pipe.
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '-c', file], {
    cwd: dir,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const log = () => readFileSync(logFile, 'utf8');
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code) => {
      exitCode = code ?? -1;
      resolve();
    })
  );
  let url = '';
  await waitUntil(
    () => {
      if (exitCode !== null)
        throw new Error(`gatehouse exited with ${String(exitCode)}:\n${log()}`);
      url = /is serving on (http:\/\/\S+)/.exec(log())?.[1] ?? '';
      return url !== '';
    },
    60_000,
    'gatehouse to serve'
  );
  return {
    url,
    dir,
    log,
    async stop() {
      if (exitCode === null) child.kill('SIGTERM');
      await exited;
      try {
        await waitUntil(
          () => clusterProcesses(url).length === 0,
          60_000,
          'cluster processes to exit'
        );
      } catch (err) {
        for (const pid of clusterProcesses(url)) process.kill(-pid, 'SIGKILL');
        throw err;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
