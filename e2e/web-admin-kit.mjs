// What the admin browser test needs besides the browser: a gateway whose store holds 1,000
// finished clusters (copied, with new names, owners, times and reasons, from one real cluster's
// record while the gateway is down, then the gateway started again on the same store), and the
// admin pages' small waits.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { api, startGatehouse, until } from './gatehouse.mjs';

const STOPPED = 5;
const FAILED = 6;
const REASONS = ['idle', 'user', 'admin', 'lifetime']; // the gateway's own stop reasons

/** How many finished clusters the store is seeded with, and how many of them failed. */
export const SEEDED = 1000;
export const SEEDED_FAILED = SEEDED / 20;
/** The seeded clusters' owners: `user0` … `user24`, 40 clusters each. */
export const SEED_OWNERS = 25;

/** Copies `db`'s one cluster record into SEEDED finished ones. */
function seed(file) {
  const db = new Database(file);
  try {
    const row = db.prepare('SELECT * FROM clusters LIMIT 1').get();
    assert.ok(row, 'the first start left a cluster record to copy');
    const cols = Object.keys(row);
    const insert = db.prepare(
      `INSERT INTO clusters (${cols.join(',')}) VALUES (${cols.map((c) => `@${c}`).join(',')})`
    );
    const now = Date.now();
    db.transaction(() => {
      for (let i = 0; i < SEEDED; i++) {
        const failed = i % 20 === 0;
        insert.run({
          ...row,
          name: `seed-${String(i).padStart(4, '0')}`,
          username: `user${String(i % SEED_OWNERS)}`,
          status: failed ? FAILED : STOPPED,
          start_time: now - (i + 2) * 60_000,
          stop_time: now - (i + 1) * 1000,
          stop_reason: failed ? null : REASONS[i % REASONS.length],
          failure_reason: failed ? 'scheduler exited with status 1' : null,
          failure_evidence: null,
          failure_at: failed ? now - (i + 1) * 1000 : null,
        });
      }
    })();
  } finally {
    db.close();
  }
}

/**
 * Starts a gateway with `config` whose store holds SEEDED finished clusters: a first start
 * creates one real cluster for `owner` (granted), stopping the gateway stops it, its record is
 * copied, and the gateway starts again on the same data directory.
 */
export async function startSeededGatehouse(config, owner) {
  const dataDir = path.join(mkdtempSync(path.join(tmpdir(), 'gatehouse-admin-e2e-')), 'data');
  const cfg = { ...config, data_dir: dataDir };
  const first = await startGatehouse(cfg);
  try {
    assert.equal(
      (await api(first.url, 'admin', 'PUT', `/api/v1/admin/grants/${owner}`)).status,
      204
    );
    const made = await api(first.url, owner, 'POST', '/api/v1/clusters/', { cluster_options: {} });
    assert.equal(made.status, 201, JSON.stringify(made.body));
  } finally {
    await first.stop();
  }
  seed(path.join(dataDir, 'gatehouse.db'));
  return startGatehouse(cfg);
}

/** The admin cluster list's `X-Total-Count` for `query` (e.g. `status=FAILED`). */
export async function apiTotal(url, query) {
  const res = await fetch(`${url}/api/v1/admin/clusters?${query}&limit=1`, {
    headers: { Authorization: `Basic ${Buffer.from('admin:x').toString('base64')}` },
  });
  assert.equal(res.status, 200);
  return Number(res.headers.get('x-total-count'));
}

/** Waits until `user`'s cluster `name` has `status` (through the API). */
export async function awaitStatus(url, user, name, status, ms) {
  await until(
    async () => (await api(url, user, 'GET', `/api/v1/clusters/${name}`)).body?.status === status,
    ms,
    `${name} to be ${status}`
  );
}

/** The "1–25 of 1,000" line of the admin clusters table, as numbers. */
export async function clusterRange(page) {
  const text = await page.getByTestId('cluster-range').textContent();
  const m = /^([\d,]+)–([\d,]+) of ([\d,]+)$/.exec(text.trim());
  assert.ok(m, `range line: ${text}`);
  const n = (s) => Number(s.replaceAll(',', ''));
  return { first: n(m[1]), last: n(m[2]), total: n(m[3]) };
}

/** Waits until the admin clusters table's range line satisfies `check`. */
export async function awaitRange(page, check, what) {
  return until(
    async () => {
      const el = page.getByTestId('cluster-range');
      if ((await el.count()) === 0) return false;
      const r = await clusterRange(page);
      return check(r) ? r : false;
    },
    30_000,
    what
  );
}

/** The names in the admin clusters table's current page, top to bottom. */
export async function rowNames(page) {
  return page
    .locator('[data-testid=admin-clusters] tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-cluster')));
}
