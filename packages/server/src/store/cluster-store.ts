/**
 * Persists cluster and worker records: every state change is written through, so a gateway
 * that restarts (or is killed) finds the truth in the database. Secrets are sealed at rest.
 * Rows map to records in `cluster-rows.ts`.
 * @module
 */
import type { Kysely } from 'kysely';
import type { Database, WorkerRow } from './tables.js';
import * as q from './cluster-queries.js';
import { StaleWriteError } from './stale-write.js';
import { int64 as num } from './int64.js';
import type { SecretBox } from './secret-box.js';
import type { ClusterRecord, WorkerRecord } from '../clusters/model.js';
import { clusterFromRow, mutableClusterColumns, mutableWorkerColumns } from './cluster-rows.js';
import { createKeyedSerializer } from './keyed-serializer.js';
import { clusterNameOf } from '../cluster-options/cluster-name.js';
import { isUniqueViolation, nameTaken } from './name-taken.js';
import { checkFence, type WriteFence } from './write-fence.js';

export { parseState } from './cluster-rows.js';

/** Reads and writes cluster and worker records. */
export interface ClusterStore {
  /**
   * Inserts a new cluster at version 1 (sets `c.version`). With a fence, every write here first
   * checks the leader's epoch and throws `FencedWriteError` (code `fenced`) once it moved on.
   */
  insertCluster(c: ClusterRecord): Promise<void>;
  /**
   * Writes `c` if the stored row still has `c.version`, then bumps it. Throws
   * `StaleWriteError` (code `conflict`) when another writer changed or deleted the row.
   */
  saveCluster(c: ClusterRecord): Promise<void>;
  /** Inserts a new worker at version 1 (sets `w.version`). */
  insertWorker(w: WorkerRecord): Promise<void>;
  /** As `saveCluster`, for a worker. */
  saveWorker(w: WorkerRecord): Promise<void>;
  /** Every cluster record with its workers. */
  loadAll(): Promise<ClusterRecord[]>;
  /** Deletes clusters (and their workers) that finished before `before` (ms). */
  deleteFinishedBefore(before: number): Promise<string[]>;
  close(): Promise<void>;
}

/** The cluster store over Kysely, with compare-and-set saves serialized per record. */
class SqlClusterStore implements ClusterStore {
  readonly #db: Kysely<Database>;
  readonly #box: SecretBox;
  readonly #fence: WriteFence | null;
  readonly #serial = createKeyedSerializer();

  constructor(db: Kysely<Database>, box: SecretBox, fence: WriteFence | null) {
    this.#db = db;
    this.#box = box;
    this.#fence = fence;
  }

  /** Runs `write` on the database; with a fence, in a transaction that checks the epoch first. */
  #fenced<T>(what: string, write: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    const fence = this.#fence;
    if (fence === null) return write(this.#db);
    return this.#db.transaction().execute(async (trx) => {
      await checkFence(trx, fence, what);
      return write(trx);
    });
  }

  insertCluster(c: ClusterRecord): Promise<void> {
    return this.#serial(`c:${c.name}`, async () => {
      const box = this.#box;
      const givenName = clusterNameOf(c.options);
      await this.#fenced(`clusters row ${c.name}`, (db) =>
        q
          .insertClusterRow(db, {
            name: c.name,
            username: c.username,
            given_name: givenName,
            options: JSON.stringify(c.options),
            config: JSON.stringify(c.config),
            token_sealed: box.seal(c.token),
            tls_cert: c.tlsCert,
            tls_key_sealed: box.seal(c.tlsKey),
            start_time: c.startTime,
            ...mutableClusterColumns(c),
            version: 1,
          })
          .execute()
      ).catch((err: unknown) => {
        // Another create of the same name won the race past the manager's own check.
        if (givenName !== null && isUniqueViolation(err)) {
          throw nameTaken(c.username, givenName, false);
        }
        throw err;
      });
      c.version = 1;
    });
  }

  saveCluster(c: ClusterRecord): Promise<void> {
    return this.#serial(`c:${c.name}`, async () => {
      const held = c.version ?? 1;
      const set = { ...mutableClusterColumns(c), token_sealed: this.#box.seal(c.token) };
      await this.#fenced(`clusters row ${c.name}`, async (db) => {
        const r = await q.updateClusterIfVersion(db, c.name, held, set).executeTakeFirst();
        if (r.numUpdatedRows === 0n) await this.#refuse(db, 'clusters', c.name, held);
      });
      c.version = held + 1;
    });
  }

  insertWorker(w: WorkerRecord): Promise<void> {
    return this.#serial(`w:${w.name}`, async () => {
      await this.#fenced(`workers row ${w.name}`, (db) =>
        q
          .insertWorkerRow(db, {
            name: w.name,
            cluster_name: w.clusterName,
            start_time: w.startTime,
            ...mutableWorkerColumns(w),
            version: 1,
          })
          .execute()
      );
      w.version = 1;
    });
  }

  saveWorker(w: WorkerRecord): Promise<void> {
    return this.#serial(`w:${w.name}`, async () => {
      const held = w.version ?? 1;
      const set = mutableWorkerColumns(w);
      await this.#fenced(`workers row ${w.name}`, async (db) => {
        const r = await q.updateWorkerIfVersion(db, w.name, held, set).executeTakeFirst();
        if (r.numUpdatedRows === 0n) await this.#refuse(db, 'workers', w.name, held);
      });
      w.version = held + 1;
    });
  }

  async loadAll(): Promise<ClusterRecord[]> {
    const rows = await q.selectClusterRows(this.#db).execute();
    const workers = await q.selectWorkerRows(this.#db).execute();
    const byCluster = new Map<string, WorkerRow[]>();
    for (const w of workers) {
      const list = byCluster.get(w.cluster_name) ?? [];
      list.push(w);
      byCluster.set(w.cluster_name, list);
    }
    return rows.map((r) => clusterFromRow(r, byCluster.get(r.name) ?? [], this.#box));
  }

  async deleteFinishedBefore(before: number): Promise<string[]> {
    const rows = await this.#fenced('clusters (retention)', (db) =>
      q.deleteClustersStoppedBefore(db, before).execute()
    );
    return rows.map((r) => r.name);
  }

  async close(): Promise<void> {
    await this.#db.destroy();
  }

  /** After 0 rows updated: re-read the stored version and refuse with it. */
  async #refuse(
    db: Kysely<Database>,
    table: 'clusters' | 'workers',
    key: string,
    held: number
  ): Promise<never> {
    const select = table === 'clusters' ? q.selectClusterVersion : q.selectWorkerVersion;
    const row = await select(db, key).executeTakeFirst();
    throw new StaleWriteError(table, key, held, row === undefined ? null : num(row.version));
  }
}

/**
 * A store over a migrated Kysely database; with `fence`, writes are refused once the leader
 * lease's epoch moved past the fence's (a replica that no longer leads cannot write).
 */
export function createClusterStore(
  db: Kysely<Database>,
  box: SecretBox,
  fence: WriteFence | null = null
): ClusterStore {
  return new SqlClusterStore(db, box, fence);
}
