/**
 * The gateway's instance id: a random id made once per database and kept in it. Every scheduler
 * and worker carries it in its environment, so a restarted gateway can tell its own processes
 * (including ones no record names) from those of other gateways on the same machine.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './tables.js';

const KEY = 'instance_id';

/** The database's instance id, created on first use. */
export async function loadOrCreateInstanceId(db: Kysely<Database>): Promise<string> {
  await db
    .insertInto('gateway_meta')
    .values({ key: KEY, value: randomUUID().replaceAll('-', '') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('gateway_meta')
    .select('value')
    .where('key', '=', KEY)
    .executeTakeFirstOrThrow();
  return row.value;
}
