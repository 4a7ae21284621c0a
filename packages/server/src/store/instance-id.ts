/**
 * The gateway's instance id: a random id made once per database and kept in it. Every scheduler
 * and worker carries it in its environment, so a restarted gateway can tell its own processes
 * (including ones no record names) from those of other gateways on the same machine.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './tables.js';
import { insertMetaIfAbsent, selectMeta } from './meta-queries.js';

const KEY = 'instance_id';

/** The database's instance id, created on first use. */
export async function loadOrCreateInstanceId(db: Kysely<Database>): Promise<string> {
  await insertMetaIfAbsent(db, KEY, randomUUID().replaceAll('-', '')).execute();
  return (await selectMeta(db, KEY).executeTakeFirstOrThrow()).value;
}
