/**
 * A gateway process frozen inside a transaction (SIGSTOP, a stalled event loop) must not hold
 * its locks for ever: on PostgreSQL (skipped without GATEHOUSE_PG_URL) the server ends a
 * session idle in a transaction for longer than `idleInTransactionMs`, so other replicas' event
 * appends, lease takeovers and row writes go on. Seen as a follower's leader start stalled
 * until the frozen leader was resumed.
 * @module
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createEventStore } from '../events/event-store.js';
import { openStoreDatabase } from './db.js';
import { createTestDatabase, pgSkip, type TestDatabase } from './testing/pg-database.js';

const made: TestDatabase[] = [];
after(async () => {
  for (const d of made) await d.drop();
});

describe('a session idle in a transaction on PostgreSQL', { skip: pgSkip }, () => {
  it(
    'is ended by the server, releasing the event-id lock it held',
    { timeout: 20_000 },
    async () => {
      const d = await createTestDatabase();
      made.push(d);
      const frozen = await openStoreDatabase({
        type: 'postgres',
        url: d.url,
        poolSize: 2,
        idleInTransactionMs: 300,
      });
      const other = await openStoreDatabase({ type: 'postgres', url: d.url, poolSize: 2 });
      let thaw: () => void = () => undefined;
      const thawed = new Promise<void>((resolve) => {
        thaw = resolve;
      });
      let locked: () => void = () => undefined;
      const holding = new Promise<void>((resolve) => {
        locked = resolve;
      });
      try {
        // The frozen replica takes the lock an event append takes, then stops doing anything.
        const held = frozen.transaction().execute(async (tx) => {
          await sql`select pg_advisory_xact_lock(${0x67682d6576656e74n.toString()}::bigint)`.execute(
            tx
          );
          locked();
          await thawed;
          await sql`select 1`.execute(tx);
        });
        await holding;
        const [stored] = await createEventStore(other).append([
          {
            time: 1,
            type: 'cluster.created',
            cluster: 'c',
            worker: null,
            username: 'u',
            actor: 'u',
            message: 'm',
            data: {},
          },
        ]);
        assert.equal(stored?.id, 1);
        thaw();
        await assert.rejects(held, 'the frozen session was ended by the server');
      } finally {
        thaw();
        await frozen.destroy();
        await other.destroy();
      }
    }
  );
});
