/**
 * `gatehouse db migrate|check` and a PostgreSQL store's start-up refusal, through the built CLI
 * on SQLite files (no server needed): an empty database has every migration pending (exit 13),
 * `db migrate` applies them and `db check` then exits 0; a missing file is exit 2 and is not
 * created; `serve` with a PostgreSQL store and no sealing key refuses to start (exit 2), saying
 * how to make one and never showing the database password.
 * @module
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { CLI } from '../../sdk/test/gatehouse-process.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-db-cli-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function gatehouse(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function configFile(name: string, yaml: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, yaml);
  return file;
}

describe('gatehouse db', () => {
  it('check: pending on an empty database (13); migrate; then up to date (0)', () => {
    writeFileSync(path.join(dir, 'empty.db'), '');
    const c = configFile('sqlite.yaml', `store:\n  path: ${path.join(dir, 'empty.db')}\n`);
    const before = gatehouse('db', 'check', '-c', c);
    assert.equal(before.code, 13, before.out + before.err);
    assert.match(before.out, /migrations: \d+ pending \(0001-initial, /);
    const migrated = gatehouse('db', 'migrate', '-c', c);
    assert.equal(migrated.code, 0, migrated.err);
    assert.match(migrated.out, /applied 0001-initial, /);
    const again = gatehouse('db', 'check', '-c', c);
    assert.equal(again.code, 0, again.out + again.err);
    assert.match(again.out, /migrations: up to date/);
    assert.equal(gatehouse('db', 'migrate', '-c', c).out.includes('up to date'), true);
  });

  it('check: a missing SQLite file is exit 2, and is not created', () => {
    const file = path.join(dir, 'nothing-here.db');
    const c = configFile('missing.yaml', `store:\n  path: ${file}\n`);
    const r = gatehouse('db', 'check', '-c', c);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /there is no database at/);
    assert.equal(existsSync(file), false);
  });

  it('copy: a missing source file is exit 2, and is not created', () => {
    const file = path.join(dir, 'no-source.db');
    const r = gatehouse(
      'db',
      'copy',
      '--from',
      `sqlite:${file}`,
      '--to',
      'postgresql://gh:pg-secret-pw@127.0.0.1:1/gh'
    );
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /there is no database at/);
    assert.equal(existsSync(file), false);
    assert.ok(!(r.out + r.err).includes('pg-secret-pw'));
  });

  it('serve: PostgreSQL without a sealing key is refused, saying how to make one', () => {
    const c = configFile(
      'pg.yaml',
      'store:\n  url: postgresql://gh:pg-secret-pw@127.0.0.1:1/gh\nlisten: 127.0.0.1:0\n'
    );
    const r = gatehouse('serve', '-c', c);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /store\.encryption_key_file: PostgreSQL needs a sealing key/);
    assert.match(r.err, /head -c 32 \/dev\/urandom \| base64/);
    assert.ok(!(r.out + r.err).includes('pg-secret-pw'));
    // Positive control: with a key the config is accepted (config check prints OK).
    const k = configFile(
      'pg-key.yaml',
      `store:\n  url: postgresql://gh:pg-secret-pw@127.0.0.1:1/gh\n  encryption_keys: ['${Buffer.alloc(32, 1).toString('base64')}']\n`
    );
    const ok = gatehouse('config', 'check', k);
    assert.equal(ok.code, 0, ok.err);
    assert.ok(!(ok.out + ok.err).includes('pg-secret-pw'));
  });
});
