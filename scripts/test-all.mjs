#!/usr/bin/env node
// Runs every suite in turn, printing each suite's duration and a table of them at the end.
// With --setup (what `npm test` passes) it first runs `scripts/setup.mjs --test`, timed as the
// table's `setup` row; a failed setup stops the run. The suites:
//   lint   : tsc, ESLint (with the size rules), the import-cycle check and Prettier
//   unit   : TypeScript unit and cross-module tests (node:test)
//   python : the real-client pytest suites against real Gatehouse processes
//   faults : the fault suite (python/tests/faults): SIGKILL at every fault point, then converge
//   slurm  : the Slurm backend's suites (pytest -m slurm) on a real Slurm that this suite
//            installs from Debian if missing (as root), brings up and tears down again
//   kubernetes : the Kubernetes backend's suites (its unit tests that need an API server, and
//            python/tests/kubernetes) on a real single-node Kubernetes that this suite installs
//            (Debian packages, binaries built once into /var/cache/gatehouse/k8s), brings up and
//            always tears down again
//   postgres : the store on a real PostgreSQL that this suite starts (scripts/pg/pg-up.sh, Debian's
//            postgresql installed if missing) and always stops: the store's unit tests with
//            GATEHOUSE_PG_URL, then the seed workflow, the client contract, the lifecycle and
//            restart tests and `gatehouse db copy` with every gateway on a database of its own,
//            and replicas sharing one: SIGSTOP fencing, SIGKILL failover behind two proxies
//   e2e    : the web UI in Debian's Chromium (installed if missing) against a real Gatehouse
//   bench-smoke : the side-by-side benchmarks with the upstream server at tiny sizes
//                 (bench/run.py --smoke; it installs the upstream server itself)
// Exits non-zero if any suite failed. `--only unit,python` runs a subset.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const venvPython = path.join(root, '.venv', 'bin', 'python');

/** One pytest run in python/ with the project environment (no cache: CI clones are clean). */
const pytest = (...args) => ({
  cmd: venvPython,
  args: ['-m', 'pytest', '-p', 'no:cacheprovider', ...args],
  cwd: path.join(root, 'python'),
});

/** The environment of the kubernetes suite's tests: the cluster k8s-suite-up.sh brought up. */
const withKube = {
  ...process.env,
  GATEHOUSE_KUBECONFIG: path.join(
    process.env.K8S_STATE ?? '/tmp/gatehouse-k8s',
    'admin.kubeconfig'
  ),
};

/** The environment of the postgres suite's tests, read once pg-up.sh has written the URL. */
const withPg = () => ({
  ...process.env,
  GATEHOUSE_PG_URL: readFileSync(
    path.join(process.env.GATEHOUSE_PG_DIR ?? '/tmp/gatehouse-pg', 'url'),
    'utf8'
  ).trim(),
});

const suites = {
  lint: [
    ...['api', 'sdk', 'server', 'cli', 'web'].map((p) => ({
      cmd: bin('tsc'),
      args: ['-p', `packages/${p}`],
    })),
    { cmd: bin('eslint'), args: ['--max-warnings=0', '.'] },
    { cmd: process.execPath, args: [path.join(root, 'scripts', 'check-import-cycles.mjs')] },
    { cmd: bin('prettier'), args: ['--check', '--log-level=warn', '.'] },
  ],
  unit: [{ cmd: process.execPath, args: [path.join(root, 'scripts', 'test-unit.mjs')] }],
  // Two processes (pytest-xdist): every test starts gateways of its own on port 0 in its own
  // directories, and each xdist worker's gateways take cluster uids from a block of their own
  // (python/tests/gatehouse_fixture.py). Tests marked xdist_group share a worker.
  python: [
    pytest(
      ...['-n', '2', '--dist', 'loadgroup', '--durations=30'],
      ...['-m', 'not slurm and not kubernetes', 'tests'],
      ...['--ignore=tests/faults', '--ignore=tests/kubernetes']
    ),
  ],
  faults: [pytest('tests/faults')],
  slurm: [
    { cmd: 'bash', args: [path.join(root, 'scripts', 'slurm', 'slurm-up.sh')] },
    { ...pytest('-m', 'slurm', 'tests', '--ignore=tests/faults'), needsPrevious: true },
    // Always runs, so a failed run leaves no daemons behind.
    { cmd: 'bash', args: [path.join(root, 'scripts', 'slurm', 'slurm-down.sh')], always: true },
  ],
  kubernetes: [
    { cmd: 'bash', args: [path.join(root, 'scripts', 'k8s', 'k8s-suite-up.sh')] },
    {
      cmd: process.execPath,
      args: [path.join(root, 'scripts', 'test-unit.mjs'), 'backends/kubernetes/'],
      env: withKube,
      needsPrevious: true,
    },
    {
      ...pytest(
        ...['--durations=15', '-m', 'kubernetes'],
        ...['tests/test_backend_conformance.py', 'tests/kubernetes']
      ),
      env: withKube,
      needsPrevious: true,
    },
    // Always runs, so a failed run leaves no kubelet, containerd or pod behind.
    { cmd: 'bash', args: [path.join(root, 'scripts', 'k8s', 'k8s-down.sh')], always: true },
  ],
  postgres: [
    { cmd: 'bash', args: [path.join(root, 'scripts', 'pg', 'pg-up.sh')] },
    {
      cmd: process.execPath,
      args: [
        path.join(root, 'scripts', 'test-unit.mjs'),
        ...['store/', 'config/store-config', 'ha/', 'events/events-replicas'],
      ],
      env: withPg,
      needsPrevious: true,
    },
    {
      ...pytest(
        ...['-n', '2', '--dist', 'loadgroup', '--durations=10'],
        'tests/test_backend_conformance.py::test_seed_workflow[local]',
        ...['tests/test_client_contract.py', 'tests/test_lifecycle.py', 'tests/test_db_copy.py'],
        'tests/test_replica_fencing.py',
        'tests/test_replica_failover.py'
      ),
      env: withPg,
      needsPrevious: true,
    },
    // Always runs, so a failed run leaves no server behind.
    { cmd: 'bash', args: [path.join(root, 'scripts', 'pg', 'pg-down.sh')], always: true },
  ],
  e2e: [
    { cmd: process.execPath, args: [path.join(root, 'e2e', 'ensure-chromium.mjs')] },
    {
      cmd: process.execPath,
      args: [
        '--test',
        '--test-concurrency=1',
        path.join(root, 'e2e', 'page-checks.test.mjs'),
        path.join(root, 'e2e', 'web-ui.test.mjs'),
        path.join(root, 'e2e', 'web-user-states.test.mjs'),
        path.join(root, 'e2e', 'web-cluster.test.mjs'),
        path.join(root, 'e2e', 'web-shares.test.mjs'),
        path.join(root, 'e2e', 'web-admin.test.mjs'),
        path.join(root, 'e2e', 'hostile-dashboard.test.mjs'),
      ],
      env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
    },
  ],
  'bench-smoke': [{ cmd: venvPython, args: [path.join(root, 'bench', 'run.py'), '--smoke'] }],
};

/**
 * Deletes the loopback-firewall tables (`inet gatehouse_<instance>`) that gateways killed in
 * earlier runs left in the kernel: nothing of this run exists yet, and a stale table still
 * claims its clusters' uids and addresses, so a new gateway's cluster given one of those uids
 * could not reach its own API.
 */
function clearStaleFirewallTables() {
  if (process.getuid?.() !== 0) return;
  const listed = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' });
  if (listed.status !== 0) return;
  for (const m of listed.stdout.matchAll(/^table inet (gatehouse_[0-9a-f]+)$/gm)) {
    spawnSync('nft', ['delete', 'table', 'inet', m[1]], { stdio: 'inherit' });
    console.log(`deleted the stale firewall table inet ${m[1]}`);
  }
}

const results = [];

/** Prints the per-suite time table (and the total) and exits with the overall outcome. */
function finish() {
  console.log('== summary');
  let total = 0;
  for (const [name, ok, secs] of results) {
    total += Number(secs);
    console.log(`   ${name.padEnd(11)} ${ok ? 'passed' : 'FAILED'}  ${secs.padStart(7)} s`);
  }
  console.log(`   ${'total'.padEnd(11)}         ${total.toFixed(1).padStart(7)} s`);
  process.exit(results.every(([, ok]) => ok) ? 0 : 1);
}

const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? process.argv[onlyArg + 1].split(',') : Object.keys(suites);
const unknown = only.filter((name) => suites[name] === undefined);
if (unknown.length > 0) {
  console.error(`unknown suite ${unknown.join(', ')}`);
  process.exit(2);
}
if (process.argv.includes('--setup')) {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'setup.mjs'), '--test'], {
    cwd: root,
    stdio: 'inherit',
  });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`\n== setup: ${r.status === 0 ? 'done' : 'FAILED'} in ${secs} s\n`);
  results.push(['setup', r.status === 0, secs]);
  if (r.status !== 0) finish();
}
// Lint starts no gateway: `--only lint` leaves the tables of gateways running elsewhere on this
// machine (another checkout's tests) alone.
if (only.some((name) => name !== 'lint')) clearStaleFirewallTables();
for (const name of only) {
  const steps = suites[name];
  const t0 = Date.now();
  let ok = true;
  for (const { cmd, args, cwd, env, always, needsPrevious } of steps) {
    // A step that needs the previous ones (tests on a cluster brought up) is skipped after a
    // failure; `always` steps (tear-down) run regardless.
    if (!ok && needsPrevious && !always) continue;
    // An env function is called when its step runs (after the steps that bring a service up).
    const stepEnv = typeof env === 'function' ? env() : env;
    const r = spawnSync(cmd, args, {
      cwd: cwd ?? root,
      stdio: 'inherit',
      env: stepEnv ?? process.env,
    });
    if (r.status !== 0) ok = false;
  }
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`\n== suite ${name}: ${ok ? 'passed' : 'FAILED'} in ${secs} s\n`);
  results.push([name, ok, secs]);
}
finish();
