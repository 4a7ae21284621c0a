/**
 * The leader lease on SQLite (a file two connections share) and on a real PostgreSQL (skipped
 * without GATEHOUSE_PG_URL): the cases of `test/lease-cases.ts`.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import type { StoreTarget } from './db.js';
import { describeLeaderLease } from '../../test/lease-cases.js';
import { createTestDatabase, pgSkip, type TestDatabase } from './testing/pg-database.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-lease-'));
const made: TestDatabase[] = [];
let n = 0;
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const d of made) await d.drop();
});

describeLeaderLease('SQLite', () =>
  Promise.resolve({ type: 'sqlite', path: path.join(dir, `lease-${++n}.db`) })
);

describeLeaderLease(
  'PostgreSQL',
  async (): Promise<StoreTarget> => {
    const d = await createTestDatabase();
    made.push(d);
    return { type: 'postgres', url: d.url, poolSize: 2 };
  },
  pgSkip
);
