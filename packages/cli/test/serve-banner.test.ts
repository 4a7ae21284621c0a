/**
 * `gatehouse serve` as a real subprocess, on port 0 in a temporary directory (issue 14, findings
 * 8 and 9): the embedded default's banner says it is single-user and how to connect, it refuses
 * a non-loopback address, and the bootstrap admin token goes to a 0600 file (path printed, token
 * not) with a config file or a non-terminal output, and to the terminal only on a TTY.
 * @module
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CLI, waitUntil } from '../../sdk/test/gatehouse-process.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The address a `gatehouse serve` output says it serves on ('' if none). */
const urlIn = (out: string) => /is serving on (http:\/\/\S+)/.exec(out)?.[1] ?? '';

/** Output of one `gatehouse serve`, stopped with SIGTERM once `ready` holds (or it exited). */
async function serve(
  args: string[],
  opts: {
    tty?: boolean;
    ready?: (out: string) => boolean;
    whileUp?: (url: string) => Promise<void>;
  } = {}
): Promise<{ out: string; dir: string; code: number | null; url: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-banner-'));
  dirs.push(dir);
  const argv = [CLI, 'serve', ...args.map((a) => a.replaceAll('$DIR', dir))];
  // `script` gives the gateway a terminal; its output is then that terminal's transcript.
  const cmd = opts.tty === true ? 'script' : process.execPath;
  const cmdArgs =
    opts.tty === true
      ? ['-qefc', [process.execPath, ...argv].map((a) => `'${a}'`).join(' '), '/dev/null']
      : argv;
  const child = spawn(cmd, cmdArgs, {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '', HOME: dir },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true, // its own process group, so `script` and the gateway under it stop together
  });
  let out = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (out += b.toString()));
  let code: number | null | undefined;
  child.once('exit', (c) => (code = c));
  const ready = opts.ready ?? ((o: string) => /single-user|Bootstrap|Admin API token/.test(o));
  const pid = child.pid ?? 0;
  try {
    await waitUntil(
      () => code !== undefined || (/is serving on/.test(out) && ready(out)),
      60_000,
      `gatehouse to start; output so far:\n${out}`
    );
    if (code === undefined) await opts.whileUp?.(urlIn(out));
  } finally {
    if (code === undefined) {
      process.kill(-pid, 'SIGTERM');
      await waitUntil(() => code !== undefined, 60_000, 'gatehouse to stop');
    }
  }
  return { out, dir, code: code ?? null, url: urlIn(out) };
}

const TOKEN = /\bgh_[A-Za-z0-9_-]{32}/;

describe('the embedded default (no config file)', { timeout: 240_000 }, () => {
  it('says it is single-user and how to connect', async () => {
    const { out, url } = await serve(['--listen', '127.0.0.1:0']);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, out);
    assert.match(out, /single-user/i);
    assert.match(out, /any (user )?name.*any password/i);
    // As root clusters get uids of their own; otherwise the banner says they are not isolated.
    assert.match(out, process.getuid?.() === 0 ? /uid of its own/ : /not isolated/i);
    assert.match(out, /127\.0\.0\.1/);
    assert.ok(out.includes(`Gateway("${url}")`), out);
    assert.ok(out.includes(`${url}/ui/`), out);
    assert.match(out, /gatehouse client-config/);
  });

  it('refuses a non-loopback --listen, saying why', async () => {
    const { out, code } = await serve(['--listen', '0.0.0.0:0']);
    assert.notEqual(code, 0, out);
    assert.doesNotMatch(out, /is serving on/);
    assert.match(out, /single-user/i);
    assert.match(out, /config/i);
  });

  it('writes the bootstrap token to a 0600 file, not to a non-terminal output', async () => {
    const { out, dir } = await serve(['--listen', '127.0.0.1:0']);
    const file = path.join(dir, '.gatehouse', 'bootstrap-admin-token');
    assert.ok(existsSync(file), out);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const token = readFileSync(file, 'utf8').trim();
    assert.ok(token.length >= 20);
    assert.ok(out.includes(file), out);
    assert.ok(!out.includes(token), 'the token is not in the output');
  });

  it('prints the bootstrap token on a terminal (positive control)', async () => {
    const { out, dir } = await serve(['--listen', '127.0.0.1:0'], { tty: true });
    assert.match(out, /Admin API token/, out);
    assert.match(out, TOKEN);
    assert.ok(!existsSync(path.join(dir, '.gatehouse', 'bootstrap-admin-token')));
  });
});

describe('a config file (production)', { timeout: 120_000 }, () => {
  it('writes the bootstrap token to a 0600 file that works, and never prints it', async () => {
    const base = mkdtempSync(path.join(tmpdir(), 'gatehouse-banner-cfg-'));
    dirs.push(base);
    const config = path.join(base, 'gatehouse.json');
    const data = path.join(base, 'data');
    writeFileSync(config, JSON.stringify({ listen: '127.0.0.1:0', data_dir: data }));
    const file = path.join(data, 'bootstrap-admin-token');
    let status = 0;
    const { out } = await serve(['-c', config], {
      tty: true,
      ready: (o) => o.includes('bootstrap-admin-token'),
      whileUp: async (url) => {
        const token = readFileSync(file, 'utf8').trim();
        const r = await fetch(`${url}/api/v1/admin/clusters`, {
          headers: { Authorization: `Bearer ${token}` },
        });
        status = r.status;
      },
    });
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const token = readFileSync(file, 'utf8').trim();
    assert.ok(out.includes(file), out);
    assert.ok(!out.includes(token), 'not even on a terminal');
    assert.doesNotMatch(out, /single-user/i);
    assert.doesNotMatch(out, TOKEN);
    assert.equal(status, 200, 'the token in the file is an admin token');
  });
});
