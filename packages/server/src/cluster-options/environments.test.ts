/**
 * Tests for the environment catalog: listed and discovered environments, the check that runs
 * each one's `bin/python` (here small shell scripts that print what the real check prints, or
 * fail), caching, re-checks when the interpreter or site-packages changes, and the group filter.
 * Every script appends a line to `<prefix>/calls`, so the tests can count the checks.
 * @module
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import type { EnvironmentsConfig } from '../config/schema.js';
import { createEnvironmentCatalog, type EnvironmentCatalog } from './environments.js';

const log = pino({ level: 'silent' });
const VERSIONS = { python: '3.11.7', distributed: '2026.8.0', dask_gateway: '2026.3.0' };

type Kind = 'ok' | 'broken' | 'garbage' | 'silent';

const SCRIPTS: Record<Kind, string> = {
  ok: `echo '${JSON.stringify(VERSIONS)}'`,
  broken: [
    "echo 'Traceback (most recent call last):' >&2",
    `echo "ModuleNotFoundError: No module named 'dask_gateway'" >&2`,
    'exit 1',
  ].join('\n'),
  garbage: 'echo hello',
  silent: 'exit 3',
};

let tmp = '';
let n = 0;
before(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-environments-test-'));
});
after(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** A fresh directory for one test. */
function dir(): string {
  n += 1;
  const d = path.join(tmp, `t${String(n)}`);
  mkdirSync(d);
  return d;
}

/** Writes `prefix/bin/python` as a script of `kind`, with its mtime moved past the last one. */
function setKind(prefix: string, kind: Kind): void {
  const python = path.join(prefix, 'bin', 'python');
  const before = existsSync(python) ? statSync(python).mtimeMs : 0;
  mkdirSync(path.dirname(python), { recursive: true });
  writeFileSync(python, `#!/bin/sh\necho "$*" >> "$(dirname "$0")/../calls"\n${SCRIPTS[kind]}\n`);
  chmodSync(python, 0o755);
  // Some file systems keep coarse mtimes: make the change visible for sure.
  const t = new Date(Math.max(before + 10_000, Date.now()));
  utimesSync(python, t, t);
}

/** A fake environment at `parent/name` whose interpreter is a script of `kind`. */
function fakeEnv(parent: string, name: string, kind: Kind): string {
  const prefix = path.join(parent, name);
  setKind(prefix, kind);
  return prefix;
}

/** How many times the environment's check ran. */
function calls(prefix: string): number {
  try {
    return readFileSync(path.join(prefix, 'calls'), 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function environments(extra: Partial<EnvironmentsConfig>): EnvironmentsConfig {
  return { list: [], discover: null, default: null, ...extra };
}

const open: EnvironmentCatalog[] = [];
after(async () => {
  // Let every check started in the background finish before the directory goes.
  await Promise.all(open.map((c) => c.refresh()));
});

function catalog(cfg: EnvironmentsConfig, now: () => number = () => 1234): EnvironmentCatalog {
  const c = createEnvironmentCatalog(cfg, log, now);
  open.push(c);
  return c;
}

const names = (envs: ReadonlyArray<{ name: string }>) => envs.map((e) => e.name);

describe('environment checks', () => {
  it('offers an environment only once its check passed', async () => {
    const d = dir();
    const ok = fakeEnv(d, 'ok', 'ok');
    const c = catalog(environments({ list: [{ name: 'ok', prefix: ok, groups: [] }] }));
    // Pending until the check is done: listed, not offered.
    assert.deepEqual(c.list(), [
      {
        name: 'ok',
        prefix: ok,
        groups: [],
        state: 'pending',
        detail: '',
        versions: {},
        checkedAt: null,
      },
    ]);
    assert.deepEqual(c.usableFor([], true), []);
    await c.refresh();
    assert.deepEqual(c.list(), [
      {
        name: 'ok',
        prefix: ok,
        groups: [],
        state: 'ok',
        detail: '',
        versions: VERSIONS,
        checkedAt: 1234,
      },
    ]);
    assert.deepEqual(names(c.usableFor([], false)), ['ok']);
    // The check ran the interpreter with the import check as its arguments.
    const args = readFileSync(path.join(ok, 'calls'), 'utf8');
    assert.match(args, /^-c import json, sys, distributed, dask_gateway; /);
    assert.equal(calls(ok), 1);
  });

  it('reports why an environment is broken', async () => {
    const d = dir();
    const cfg = environments({
      list: [
        { name: 'broken', prefix: fakeEnv(d, 'broken', 'broken'), groups: [] },
        { name: 'garbage', prefix: fakeEnv(d, 'garbage', 'garbage'), groups: [] },
        { name: 'silent', prefix: fakeEnv(d, 'silent', 'silent'), groups: [] },
        { name: 'missing', prefix: path.join(d, 'missing'), groups: [] },
        { name: 'ok', prefix: fakeEnv(d, 'ok', 'ok'), groups: [] },
      ],
    });
    const c = catalog(cfg);
    await c.refresh();
    const byName = new Map(c.list().map((e) => [e.name, e]));
    assert.deepEqual(names(c.list()), ['broken', 'garbage', 'silent', 'missing', 'ok']);
    for (const name of ['broken', 'garbage', 'silent', 'missing']) {
      const e = byName.get(name);
      assert.equal(e?.state, 'broken', name);
      assert.notEqual(e.detail, '', name);
      assert.equal(e.checkedAt, 1234, name);
    }
    // The last line of the interpreter's stderr, as Python ends a traceback.
    assert.equal(
      byName.get('broken')?.detail,
      "ModuleNotFoundError: No module named 'dask_gateway'"
    );
    assert.deepEqual(byName.get('broken')?.versions, {});
    assert.equal(byName.get('garbage')?.detail, 'unexpected output: hello\n');
    assert.match(byName.get('silent')?.detail ?? '', /Command failed/);
    assert.match(byName.get('missing')?.detail ?? '', /ENOENT/);
    // Nobody is offered a broken environment, admins included.
    assert.deepEqual(names(c.usableFor([], true)), ['ok']);
  });
});

describe('discovery', () => {
  it('offers the subdirectories that have bin/python, after the listed ones', async () => {
    const d = dir();
    const envs = path.join(d, 'envs');
    fakeEnv(envs, 'zeta', 'ok');
    fakeEnv(envs, 'alpha', 'ok');
    fakeEnv(envs, 'bad', 'broken');
    mkdirSync(path.join(envs, 'no-python', 'bin'), { recursive: true });
    writeFileSync(path.join(envs, 'a-file'), '');
    // A listed environment keeps its name: the discovered directory of the same name is not
    // offered a second time.
    const listedZeta = fakeEnv(d, 'other-zeta', 'ok');
    const listed = fakeEnv(d, 'listed', 'ok');
    const c = catalog(
      environments({
        list: [
          { name: 'listed', prefix: listed, groups: ['staff'] },
          { name: 'zeta', prefix: listedZeta, groups: [] },
        ],
        discover: envs,
      })
    );
    await c.refresh();
    assert.deepEqual(
      c.list().map((e) => [e.name, e.prefix, e.state, e.groups]),
      [
        ['listed', listed, 'ok', ['staff']],
        ['zeta', listedZeta, 'ok', []],
        ['alpha', path.join(envs, 'alpha'), 'ok', []],
        ['bad', path.join(envs, 'bad'), 'broken', []],
      ]
    );
    assert.equal(calls(path.join(envs, 'zeta')), 0);
    assert.deepEqual(names(c.usableFor([], false)), ['zeta', 'alpha']);
  });

  it('picks up new environments and forgets removed ones', async () => {
    const envs = path.join(dir(), 'envs');
    fakeEnv(envs, 'one', 'ok');
    const c = catalog(environments({ discover: envs }));
    await c.refresh();
    assert.deepEqual(names(c.usableFor([], false)), ['one']);
    // usableFor started a background refresh: let it end before changing anything (a change
    // made during a refresh is the subject of its own test below).
    await c.refresh();

    fakeEnv(envs, 'two', 'ok');
    await c.refresh();
    assert.deepEqual(names(c.usableFor([], false)), ['one', 'two']);
    assert.equal(calls(path.join(envs, 'one')), 1);

    rmSync(path.join(envs, 'one'), { recursive: true });
    await c.refresh();
    assert.deepEqual(names(c.list()), ['two']);
    assert.deepEqual(names(c.usableFor([], true)), ['two']);
  });

  it('copes with a discover directory that does not exist', async () => {
    const d = dir();
    const listed = fakeEnv(d, 'listed', 'ok');
    const c = catalog(
      environments({
        list: [{ name: 'listed', prefix: listed, groups: [] }],
        discover: path.join(d, 'nowhere'),
      })
    );
    await c.refresh();
    assert.deepEqual(names(c.usableFor([], false)), ['listed']);
  });
});

describe('re-checks', () => {
  it('keeps a check until the interpreter changes', async () => {
    const d = dir();
    const prefix = fakeEnv(d, 'env', 'ok');
    let t = 1000;
    const c = catalog(environments({ list: [{ name: 'env', prefix, groups: [] }] }), () => t);
    await c.refresh();
    assert.equal(calls(prefix), 1);

    // Nothing changed: no new check, however often it is asked.
    t = 2000;
    await c.refresh();
    c.usableFor([], false);
    await c.refresh();
    assert.equal(calls(prefix), 1);
    assert.equal(c.list()[0]?.checkedAt, 1000);

    // The interpreter breaks: the next refresh notices.
    setKind(prefix, 'broken');
    await c.refresh();
    assert.equal(calls(prefix), 2);
    assert.equal(c.list()[0]?.state, 'broken');
    assert.equal(c.list()[0]?.checkedAt, 2000);
    assert.deepEqual(c.usableFor([], true), []);
    await c.refresh(); // the background refresh usableFor started

    // Repaired: offered again.
    t = 3000;
    setKind(prefix, 'ok');
    await c.refresh();
    assert.equal(calls(prefix), 3);
    assert.deepEqual(
      c.list().map((e) => [e.state, e.detail, e.checkedAt]),
      [['ok', '', 3000]]
    );
  });

  it('re-checks when site-packages changes', async () => {
    const d = dir();
    const prefix = fakeEnv(d, 'env', 'ok');
    const sitePackages = path.join(prefix, 'lib', 'python3.11', 'site-packages');
    mkdirSync(sitePackages, { recursive: true });
    const c = catalog(environments({ list: [{ name: 'env', prefix, groups: [] }] }));
    await c.refresh();
    assert.equal(calls(prefix), 1);

    // A package installed or removed changes the directory's mtime.
    const later = new Date(statSync(sitePackages).mtimeMs + 10_000);
    utimesSync(sitePackages, later, later);
    await c.refresh();
    assert.equal(calls(prefix), 2);
    await c.refresh();
    assert.equal(calls(prefix), 2);
  });

  it('lets usableFor start the re-check, and answers from the last check meanwhile', async () => {
    const d = dir();
    const prefix = fakeEnv(d, 'env', 'ok');
    const c = catalog(environments({ list: [{ name: 'env', prefix, groups: [] }] }));
    await c.refresh();
    setKind(prefix, 'broken');
    assert.deepEqual(names(c.usableFor([], false)), ['env']);
    // The refresh usableFor started is the one this call waits for.
    await c.refresh();
    assert.equal(calls(prefix), 2);
    assert.deepEqual(c.usableFor([], false), []);
  });

  it('checks once when refreshes overlap and nothing changed', async () => {
    const d = dir();
    const prefix = fakeEnv(d, 'env', 'ok');
    const c = catalog(environments({ list: [{ name: 'env', prefix, groups: [] }] }));
    await Promise.all([c.refresh(), c.refresh(), c.refresh()]);
    c.usableFor([], false);
    await Promise.all([c.refresh(), c.refresh()]);
    assert.equal(calls(prefix), 1);
  });

  it('picks up a change made while an earlier refresh is still running', async () => {
    const d = dir();
    const prefix = fakeEnv(d, 'env', 'ok');
    const c = catalog(environments({ list: [{ name: 'env', prefix, groups: [] }] }));
    await c.refresh();
    // An options request starts a background refresh (nothing has changed yet)...
    assert.deepEqual(names(c.usableFor([], false)), ['env']);
    // ...then the interpreter breaks, and an admin asks for a refresh (GET
    // /api/v1/admin/environments does). The refresh asked for after the change must see it.
    setKind(prefix, 'broken');
    await c.refresh();
    assert.equal(c.list()[0]?.state, 'broken');
    assert.equal(calls(prefix), 2);
  });
});

describe('usableFor', () => {
  it('offers group-limited environments to members and admins only', async () => {
    const d = dir();
    const c = catalog(
      environments({
        list: [
          { name: 'open', prefix: fakeEnv(d, 'open', 'ok'), groups: [] },
          { name: 'staff', prefix: fakeEnv(d, 'staff', 'ok'), groups: ['staff'] },
          { name: 'either', prefix: fakeEnv(d, 'either', 'ok'), groups: ['a', 'b'] },
          { name: 'broken', prefix: fakeEnv(d, 'broken', 'broken'), groups: ['staff'] },
        ],
      })
    );
    await c.refresh();
    assert.deepEqual(names(c.usableFor([], false)), ['open']);
    assert.deepEqual(names(c.usableFor(['staff'], false)), ['open', 'staff']);
    assert.deepEqual(names(c.usableFor(['b', 'other'], false)), ['open', 'either']);
    assert.deepEqual(names(c.usableFor(['a', 'staff'], false)), ['open', 'staff', 'either']);
    assert.deepEqual(names(c.usableFor(['STAFF'], false)), ['open']);
    assert.deepEqual(names(c.usableFor([], true)), ['open', 'staff', 'either']);
    // Admins see every environment and its state in list().
    assert.deepEqual(
      c.list().map((e) => [e.name, e.state]),
      [
        ['open', 'ok'],
        ['staff', 'ok'],
        ['either', 'ok'],
        ['broken', 'broken'],
      ]
    );
  });
});

describe('environments that live only in the cluster image (Kubernetes)', () => {
  it('one missing on the gateway machine is offered unchecked, and says so', async () => {
    const d = dir();
    const missing = path.join(d, 'only-in-image');
    const cfg: EnvironmentsConfig = {
      list: [
        { name: 'image', prefix: missing, groups: [] },
        { name: 'broken', prefix: fakeEnv(d, 'broken', 'broken'), groups: [] },
      ],
      discover: null,
      default: null,
    };
    const inImage = createEnvironmentCatalog(cfg, log, () => 1, null, true);
    await inImage.refresh();
    const [image, broken] = inImage.list();
    assert.equal(image?.state, 'ok');
    assert.match(
      image.detail,
      /^unchecked: .*only-in-image\/bin\/python is not on the gateway/
    );
    assert.equal(broken?.state, 'broken', 'an environment present locally is still checked');
    // The positive control: on a backend whose clusters run here, it is refused.
    const local = createEnvironmentCatalog(cfg, log, () => 1, null);
    await local.refresh();
    assert.equal(local.list()[0]?.state, 'broken');
  });
});
