#!/usr/bin/env node
// Sets up everything Gatehouse needs on a fresh clone, idempotently:
//   1. npm packages (npm ci) when the lockfile changed,
//   2. the project Python environment (.venv) from python/requirements.txt when it changed,
//   3. the TypeScript build (tsc -b) and the web UI's build (Vite, into packages/web/dist).
// With --test it also creates the environments of older dask-gateway clients the tests use, and
// two light environments over .venv's packages for the environment option (test_smce_options.py),
// and the API fuzzer's environment (test_fuzz.py); run as root, it installs Debian's nftables
// when `nft` is missing (the loopback firewall between clusters, docs/security.md).
// Only Node, npm and python3 must be present.
//
// As root (CI, and gateways that isolate clusters under their own uids), the Python environments
// are built from Debian's /usr/bin/python3.11 in a world-readable cache outside the clone
// (/var/cache/gatehouse/venvs/<name>-<hash>, GATEHOUSE_VENV_CACHE overrides), and .venv and
// .venvs/<name> become symlinks to them: cluster processes running under unprivileged uids must
// be able to read and run them, which pyenv's interpreter under /root (0700) and a clone under a
// 0700 directory do not allow. A rerun reuses the cache. Other users keep in-place environments.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');
const asRoot = process.getuid?.() === 0;
const cacheRoot = process.env.GATEHOUSE_VENV_CACHE ?? '/var/cache/gatehouse/venvs';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit',
    ...opts,
  });
  if (r.status !== 0) {
    console.error(`setup: ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function digest(...files) {
  const h = createHash('sha256');
  for (const f of files) h.update(readFileSync(path.join(root, f)));
  return h.digest('hex');
}

function step(name, marker, hash, action) {
  const file = path.join(root, marker);
  if (existsSync(file) && readFileSync(file, 'utf8') === hash) return;
  const t0 = Date.now();
  console.error(`setup: ${name}…`);
  action();
  writeFileSync(file, hash);
  console.error(`setup: ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * The interpreter environments are built from: python3 normally; as root, Debian's python3.11
 * (readable by every uid), with ensurepip installed through apt-get when it is missing.
 */
let basePythonChosen = null;
function basePython() {
  if (basePythonChosen !== null) return basePythonChosen;
  if (!asRoot) return (basePythonChosen = 'python3');
  let py = '/usr/bin/python3.11';
  if (!existsSync(py)) {
    console.error(
      'setup: warning: /usr/bin/python3.11 not found; using python3, which cluster uids may not be able to read'
    );
    py = 'python3';
  }
  const probe = spawnSync(py, ['-c', 'import ensurepip, venv'], { stdio: 'ignore' });
  if (probe.status !== 0) {
    console.error(`setup: ${py} lacks ensurepip; installing python3.11-venv with apt-get`);
    run('apt-get', ['install', '-y', '--no-install-recommends', 'python3.11-venv']);
  }
  return (basePythonChosen = py);
}

/**
 * As root: makes `dir` (relative to the clone) a symlink to a cached environment named for
 * `name` and `hash`, building it with `build(target)` when the cache lacks it. Returns the
 * link's python. Directories are 0755 and files world-readable, so cluster uids can run it.
 */
function cachedEnv(dir, hash, build) {
  const name = path.basename(dir).replace(/^\./, '');
  const target = path.join(cacheRoot, `${name}-${hash.slice(0, 16)}`);
  if (!existsSync(path.join(target, '.complete'))) {
    const t0 = Date.now();
    console.error(`setup: Python environment ${dir} (cached in ${target})…`);
    // Only the directories created here are set to 0755 (root's umask may be stricter).
    const created = mkdirSync(cacheRoot, { recursive: true, mode: 0o755 });
    if (created !== undefined) {
      for (let d = cacheRoot; d.startsWith(created); d = path.dirname(d)) chmodSync(d, 0o755);
    }
    // Built in place (a venv's scripts name its prefix); .complete marks a finished build.
    rmSync(target, { recursive: true, force: true });
    const oldMask = process.umask(0o022);
    try {
      build(target);
    } finally {
      process.umask(oldMask);
    }
    writeFileSync(path.join(target, '.complete'), hash);
    console.error(`setup: ${dir} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  const link = path.join(root, dir);
  let current;
  try {
    current = lstatSync(link).isSymbolicLink() ? readlinkSync(link) : '';
  } catch {
    current = null;
  }
  if (current !== target) {
    if (current !== null) rmSync(link, { recursive: true, force: true });
    mkdirSync(path.dirname(link), { recursive: true });
    symlinkSync(target, link);
  }
  return path.join(link, 'bin', 'python');
}

const pipInstall = (python, requirements, ...extra) =>
  run(python, [
    '-m',
    'pip',
    'install',
    '--quiet',
    '--disable-pip-version-check',
    ...extra,
    '-r',
    requirements,
  ]);

/** Creates (or updates) a virtual environment at `dir` from a requirements file. */
export function ensureVenv(dir, requirements) {
  if (asRoot) {
    const py = basePython();
    return cachedEnv(dir, digestText(digest(requirements), py), (tmp) => {
      run(py, ['-m', 'venv', tmp]);
      pipInstall(path.join(tmp, 'bin', 'python'), requirements);
    });
  }
  const python = path.join(root, dir, 'bin', 'python');
  step(
    `Python environment ${dir}`,
    path.join(dir, '.requirements.sha256'),
    digest(requirements),
    () => {
      if (!existsSync(python)) run('python3', ['-m', 'venv', dir]);
      pipInstall(python, requirements);
    }
  );
  return python;
}

function digestText(...parts) {
  return createHash('sha256').update(parts.join('\0')).digest('hex');
}

function output(cmd, args) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) {
    console.error(`setup: ${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
  return r.stdout.trim();
}

const PURELIB = 'import sysconfig; print(sysconfig.get_paths()["purelib"])';

/**
 * Creates (or updates) a light virtual environment at `dir` that sees every package of .venv
 * (through a `gatehouse-base.pth` file naming .venv's site-packages) and installs only the few
 * pinned packages of `requirements` itself, without dependencies. Its own site-packages comes
 * first on sys.path, so those pins win over .venv's versions. Takes seconds.
 */
export function ensureOverlayVenv(dir, requirements) {
  const basePy = path.join(root, '.venv', 'bin', 'python');
  // The real path, so cluster uids need not traverse the clone to find .venv's packages.
  const base = realpathSync(output(basePy, ['-c', PURELIB]));
  const build = (where) => {
    const python = path.join(where, 'bin', 'python');
    // pip comes from .venv through the .pth file, so the environment needs none of its own.
    if (!existsSync(python))
      run(asRoot ? basePython() : 'python3', ['-m', 'venv', '--without-pip', where]);
    const own = output(python, ['-c', PURELIB]);
    if (path.basename(path.dirname(own)) !== path.basename(path.dirname(base))) {
      console.error(
        `setup: ${dir} runs ${path.basename(path.dirname(own))}, .venv runs ${path.basename(path.dirname(base))}`
      );
      process.exit(1);
    }
    writeFileSync(path.join(own, 'gatehouse-base.pth'), `${base}\n`);
    // pip leaves .venv's copy of a pinned package alone ("outside environment") and replaces
    // this environment's own copy when the pin changes.
    pipInstall(python, requirements, '--no-deps');
  };
  if (asRoot) return cachedEnv(dir, digestText(digest(requirements), base), build);
  step(
    `Python environment ${dir}`,
    path.join(dir, '.requirements.sha256'),
    `${digest(requirements)} ${base}`,
    () => build(path.join(root, dir))
  );
  return path.join(root, dir, 'bin', 'python');
}

/** As root, installs Debian's nftables (apt-get update once, then install) if `nft` is missing. */
function ensureNftables() {
  if (process.getuid?.() !== 0) return;
  if (spawnSync('sh', ['-c', 'command -v nft'], { stdio: 'ignore' }).status === 0) return;
  if (spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) {
    console.error('setup: nft is missing and there is no apt-get; the firewall tests will skip');
    return;
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'nftables'], { env });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  step('npm packages', 'node_modules/.lock.sha256', digest('package-lock.json'), () => {
    run('npm', ['ci', '--no-audit', '--no-fund']);
  });
  ensureVenv('.venv', 'python/requirements.txt');
  if (process.argv.includes('--test')) {
    // Older dask-gateway clients, each with its own scheduler/worker packages (test_old_clients.py).
    ensureVenv('.venvs/dg2025.4', 'python/requirements-dg2025.4.txt');
    ensureVenv('.venvs/dg2023.9', 'python/requirements-dg2023.9.txt');
    // Two choices of the environment option, differing only in six (test_smce_options.py).
    ensureOverlayVenv('.venvs/env-a', 'python/requirements-env-a.txt');
    ensureOverlayVenv('.venvs/env-b', 'python/requirements-env-b.txt');
    // The API fuzzer, schemathesis, in its own environment (test_fuzz.py).
    ensureVenv('.venvs/fuzz', 'python/requirements-fuzz.txt');
    ensureNftables();
  }
  run(path.join(root, 'node_modules', '.bin', 'tsc'), ['-b']);
  run(path.join(root, 'node_modules', '.bin', 'vite'), ['build', '--logLevel', 'warn'], {
    cwd: path.join(root, 'packages', 'web'),
  });
}
