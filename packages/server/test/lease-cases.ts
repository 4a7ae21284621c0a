/**
 * The leader lease cases, for any database (`leader-lease.test.ts` runs them on SQLite and, with
 * GATEHOUSE_PG_URL, on PostgreSQL): two contenders, each its own connection pool on one
 * database, and a clock the test moves (or the database's own).
 * @module
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Kysely } from 'kysely';
import { openStoreDatabase, type StoreTarget } from '../src/store/db.js';
import { createLeaderLease, type LeaderLease } from '../src/store/leader-lease.js';
import type { Database } from '../src/store/tables.js';

const TTL = 10_000;

/** Two lease stores on one fresh database, with a clock at `clock.t` (injected unless `real`). */
async function contenders(target: () => Promise<StoreTarget>, real = false) {
  const t = await target();
  const dbs: Kysely<Database>[] = [await openStoreDatabase(t), await openStoreDatabase(t)];
  const clock = { t: 1_800_000_000_000 };
  const opts = real ? {} : { now: () => clock.t };
  const [a, b] = dbs.map((db) => createLeaderLease(db, opts)) as [LeaderLease, LeaderLease];
  return {
    a,
    b,
    clock,
    close: async () => {
      for (const db of dbs) await db.destroy();
    },
  };
}

/** Registers the lease cases on the database `target` makes (skipped when `skip` says why). */
export function describeLeaderLease(
  dialect: string,
  target: () => Promise<StoreTarget>,
  skip: false | string = false
): void {
  describe(`the leader lease on ${dialect}`, { skip }, () => {
    it('two contenders at once: exactly one wins, at epoch 1', async () => {
      const { a, b, close } = await contenders(target);
      try {
        const [ra, rb] = await Promise.all([a.acquire('A', TTL), b.acquire('B', TTL)]);
        assert.equal([ra, rb].filter((r) => r.held).length, 1);
        const winner = ra.held ? 'A' : 'B';
        for (const r of [ra, rb]) assert.deepEqual(r.lease?.holder, winner);
        assert.equal(ra.lease?.epoch, 1);
        assert.deepEqual(await a.read(), ra.lease);
      } finally {
        await close();
      }
    });

    it('the holder renews; the other cannot take a running lease', async () => {
      const { a, b, clock, close } = await contenders(target);
      try {
        assert.ok((await a.acquire('A', TTL)).held);
        clock.t += TTL - 1;
        const renewed = await a.renew('A', 1, TTL);
        assert.deepEqual(renewed, { holder: 'A', epoch: 1, expiresAt: clock.t + TTL });
        clock.t += TTL - 1;
        const lost = await b.acquire('B', TTL);
        assert.equal(lost.held, false);
        assert.deepEqual(lost.lease, renewed);
        assert.equal(await b.renew('B', 1, TTL), null, 'a non-holder renews nothing');
        assert.equal((await a.acquire('A', TTL)).held, false, 'not even the holder re-acquires');
      } finally {
        await close();
      }
    });

    it('after expiry the other takes over at epoch + 1, and the old holder cannot renew', async () => {
      const { a, b, clock, close } = await contenders(target);
      try {
        assert.ok((await a.acquire('A', TTL)).held);
        clock.t += TTL;
        const taken = await b.acquire('B', TTL);
        assert.deepEqual(taken, {
          held: true,
          lease: { holder: 'B', epoch: 2, expiresAt: clock.t + TTL },
        });
        assert.equal(await a.renew('A', 1, TTL), null);
        await a.release('A', 1);
        assert.deepEqual(await a.read(), taken.lease, 'a stale release leaves the new lease be');
      } finally {
        await close();
      }
    });

    it('a released lease is taken at once, one epoch on', async () => {
      const { a, b, close } = await contenders(target);
      try {
        assert.ok((await a.acquire('A', TTL)).held);
        await a.release('A', 1);
        const taken = await b.acquire('B', TTL);
        assert.equal(taken.held, true);
        assert.equal(taken.lease.epoch, 2);
      } finally {
        await close();
      }
    });

    it("uses the database's clock: a lease of 0 ms has lapsed, one of a minute has not", async () => {
      const { a, b, close } = await contenders(target, true);
      try {
        const before = Date.now();
        const first = await a.acquire('A', 0);
        assert.ok(first.held);
        // The database runs on this host here: its clock is within a second of ours.
        assert.ok(Math.abs(first.lease.expiresAt - before) < 1000);
        const taken = await b.acquire('B', 60_000);
        assert.ok(taken.held);
        assert.equal(taken.lease.epoch, 2);
        assert.equal((await a.acquire('A', 60_000)).held, false);
        assert.ok((await b.renew('B', 2, 60_000)) !== null);
      } finally {
        await close();
      }
    });
  });
}
