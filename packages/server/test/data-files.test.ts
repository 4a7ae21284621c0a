/**
 * Issue 14 (finding 9): the gateway's files at rest. A real gateway started in a pre-existing
 * 0755 data directory makes it 0700 (and logs that it did), and after a write every file in it
 * (the database with its WAL and SHM, the sealing key) is 0600. A data directory owned by
 * another user, or a shared sticky directory, stops the start with a message; the gateway's own
 * fresh directory starts (the positive control).
 * @module
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { loadConfig } from '../src/config/load.js';
import { startGateway } from '../src/gateway.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function configFor(dataDir: string) {
  return loadConfig({
    values: {
      listen: '127.0.0.1:0',
      data_dir: dataDir,
      access: { grant_all_authenticated: true, admin_users: [] },
    },
    env: {},
    defaultPythonEnv: path.join(dataDir, 'no-env'),
  });
}

/** A logger that keeps its lines. */
function capture() {
  const lines: string[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => lines.push(l) });
  return { log, lines };
}

const mode = (p: string) => statSync(p).mode & 0o777;

describe('data files at rest', { timeout: 120_000 }, () => {
  it('makes a pre-existing 0755 data dir 0700 and every file in it 0600', async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-modes-'));
    dirs.push(base);
    const data = path.join(base, 'data');
    mkdirSync(data);
    chmodSync(data, 0o755);
    const { log, lines } = capture();
    const gateway = await startGateway(configFor(data), { log, env: {} });
    try {
      // A write: an API token is stored (bootstrap) and a user is seen, so the WAL has frames.
      const r = await fetch(`${gateway.url}/api/v1/clusters/`, {
        headers: { Authorization: `Basic ${Buffer.from('alice:x').toString('base64')}` },
      });
      assert.equal(r.status, 200);
      const db = path.join(data, 'gatehouse.db');
      assert.ok(existsSync(`${db}-wal`), 'WAL mode, WAL file present');
      assert.ok(existsSync(`${db}-shm`), 'SHM file present');
      assert.equal(mode(data), 0o700, 'the data dir');
      assert.ok(
        lines.some((l) => l.includes('0700') && l.includes(data)),
        'the chmod is logged'
      );
      for (const f of readdirSync(data, { recursive: true, withFileTypes: true })) {
        const p = path.join(f.parentPath, f.name);
        if (f.isDirectory()) assert.equal(mode(p), 0o700, p);
        else assert.equal(mode(p), 0o600, p);
      }
      for (const f of ['gatehouse.db', 'gatehouse.db-wal', 'gatehouse.db-shm', 'gatehouse.key'])
        assert.equal(mode(path.join(data, f)), 0o600, f);
    } finally {
      await gateway.stop();
    }
  });

  it('refuses a data dir owned by someone else, and a shared sticky one', async (t) => {
    if (process.getuid?.() !== 0) {
      t.skip('needs root to give a directory to another user');
      return;
    }
    const base = mkdtempSync(path.join(os.tmpdir(), 'gatehouse-modes-'));
    dirs.push(base);
    const theirs = path.join(base, 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, 65534, 65534);
    await assert.rejects(
      startGateway(configFor(theirs), { log: pino({ level: 'silent' }), env: {} }),
      /owned by/
    );
    assert.equal(mode(theirs), 0o755, 'left as it was');
    assert.ok(!existsSync(path.join(theirs, 'gatehouse.db')));
    const shared = path.join(base, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    await assert.rejects(
      startGateway(configFor(shared), { log: pino({ level: 'silent' }), env: {} }),
      /shared/
    );
    assert.equal(mode(shared), 0o777);
    // Positive control: a fresh directory of the gateway's own is created 0700 and serves.
    const own = path.join(base, 'own', 'data');
    const g = await startGateway(configFor(own), { log: pino({ level: 'silent' }), env: {} });
    await g.stop();
    assert.equal(mode(own), 0o700);
  });
});
