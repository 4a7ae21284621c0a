/**
 * Fencing on SQLite and on a real PostgreSQL (skipped without GATEHOUSE_PG_URL): a leader whose
 * lease was taken over cannot write cluster or worker state. Its writes are refused with code
 * `fenced` (and reported to the fence), the stored rows keep the new leader's data, and the new
 * leader writes on.
 * @module
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { testCluster } from '../clusters/testing/test-cluster.js';
import { Job } from '../clusters/model.js';
import { createClusterStore } from './cluster-store.js';
import { openStoreDatabase, type StoreTarget } from './db.js';
import { createLeaderLease } from './leader-lease.js';
import { createSecretBox } from './secret-box.js';
import { createTestDatabase, pgSkip, type TestDatabase } from './testing/pg-database.js';
import { isFencedWrite, type FencedWriteError } from './write-fence.js';

const dir = mkdtempSync(path.join(tmpdir(), 'gatehouse-fence-'));
const made: TestDatabase[] = [];
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const d of made) await d.drop();
});

const TTL = 10_000;
const box = createSecretBox([Buffer.alloc(32, 5)]);

function describeFencing(
  dialect: string,
  target: () => Promise<StoreTarget>,
  skip: false | string
) {
  describe(`fencing on ${dialect}`, { skip }, () => {
    it('an old leader whose lease was taken over cannot write; the new one can', async () => {
      const t = await target();
      const [dbA, dbB] = [await openStoreDatabase(t), await openStoreDatabase(t)];
      const clock = { t: 1_800_000_000_000 };
      const lease = createLeaderLease(dbA, { now: () => clock.t });
      const refused: FencedWriteError[] = [];
      try {
        const a = await lease.acquire('A', TTL);
        assert.ok(a.held);
        const storeA = createClusterStore(dbA, box, {
          epoch: () => a.lease.epoch,
          onRefused: (err) => refused.push(err),
        });
        const c = testCluster();
        await storeA.insertCluster(c);
        c.count = 2;
        await storeA.saveCluster(c);

        clock.t += TTL;
        const b = await createLeaderLease(dbB, { now: () => clock.t }).acquire('B', TTL);
        assert.ok(b.held);
        assert.equal(b.lease.epoch, a.lease.epoch + 1);
        const storeB = createClusterStore(dbB, box, { epoch: () => b.lease.epoch });
        const [cB] = await storeB.loadAll();
        assert.ok(cB !== undefined);

        // The old leader wakes up and writes what it still believes.
        c.count = 7;
        c.target = Job.STOPPED;
        await assert.rejects(storeA.saveCluster(c), (err: unknown) => {
          assert.ok(isFencedWrite(err));
          assert.equal(err.code, 'fenced');
          assert.equal(err.held, 1);
          assert.equal(err.current, 2);
          assert.match(err.message, /epoch 1.*epoch 2/);
          return true;
        });
        await assert.rejects(storeA.insertCluster(testCluster({ name: 'c2' })), isFencedWrite);
        await assert.rejects(storeA.deleteFinishedBefore(clock.t), isFencedWrite);
        assert.equal(refused.length, 3, 'every refusal is reported to the fence');

        const [stored] = await storeB.loadAll();
        assert.equal(stored?.count, 2, "the old leader's write left no trace");
        assert.equal((await storeB.loadAll()).length, 1);
        cB.count = 3;
        await storeB.saveCluster(cB);
        assert.equal((await storeB.loadAll())[0]?.count, 3);
      } finally {
        await dbA.destroy();
        await dbB.destroy();
      }
    });
  });
}

describeFencing(
  'SQLite',
  () => Promise.resolve({ type: 'sqlite', path: path.join(dir, `fence-${made.length}.db`) }),
  false
);

describeFencing(
  'PostgreSQL',
  async () => {
    const d = await createTestDatabase();
    made.push(d);
    return { type: 'postgres', url: d.url, poolSize: 2 };
  },
  pgSkip
);
