/**
 * The persistent side of a gateway: the database (with its encryption keys), the cluster,
 * access and event stores, the event recorder, the instance id and the audit trail.
 * @module
 */
import { createBudgetGrants, type BudgetGrants } from '../budget/budget-grants.js';
import { loadClusterShares, type ClusterShares } from '../shares/cluster-shares.js';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { GatewayConfig } from '../config/load.js';
import { createEventBus } from '../events/event-bus.js';
import { createEventRecorder, type EventRecorder } from '../events/event-recorder.js';
import { createEventStore, type EventStore } from '../events/event-store.js';
import { createAccessStore, type AccessStore } from '../store/access-store.js';
import { createQueueStore, type QueueStore } from '../pool/queue-store.js';
import { createClusterStore, type ClusterStore } from '../store/cluster-store.js';
import { openStoreDatabase } from '../store/db.js';
import { loadOrCreateInstanceId } from '../store/instance-id.js';
import { createLeaderLease, type LeaderLease } from '../store/leader-lease.js';
import type { WriteFence } from '../store/write-fence.js';
import { securePrivateDir } from '../store/private-files.js';
import {
  createSecretBox,
  loadOrCreateKeyFile,
  parseKey,
  readKeyFile,
} from '../store/secret-box.js';

/** Records one audited action (logged, and written to the access store). */
export type Audit = (
  actor: string,
  action: string,
  target: string,
  outcome: 'ok' | 'refused',
  detail?: string
) => void;

/** The opened stores of a gateway. */
export interface Stores {
  readonly store: ClusterStore;
  readonly accessStore: AccessStore;
  readonly eventStore: EventStore;
  readonly events: EventRecorder;
  /** This installation's instance id. */
  readonly instanceId: string;
  readonly audit: Audit;
  /** The pool's wait queue as persisted (absent in tests that build stores by hand). */
  readonly queueStore?: QueueStore;
  /** Clusters shared with other users and groups. */
  readonly shares: ClusterShares;
  /** Extra core-hours admins granted (absent in tests that build stores by hand). */
  readonly budgetGrants?: BudgetGrants;
  /** The leader lease of the replicas sharing this database. */
  readonly lease: LeaderLease;
}

/**
 * The sealing keys of stored secrets: configured, a configured key file, else (SQLite only) a key
 * file beside the database or a fixed one in memory. Config loading already refused PostgreSQL
 * without a configured key.
 */
export function storeKeys(config: GatewayConfig, opts: { create?: boolean } = {}): Buffer[] {
  if (config.encryptionKeys.length > 0) return config.encryptionKeys.map(parseKey);
  if (config.encryptionKeyFile !== null) return readKeyFile(config.encryptionKeyFile);
  if (config.store.type === 'postgres') {
    throw new Error('PostgreSQL needs store.encryption_key_file or store.encryption_keys');
  }
  if (config.store.path === ':memory:') {
    return [parseKey(Buffer.alloc(32, 7).toString('base64'))];
  }
  const file = path.join(path.dirname(config.store.path), 'gatehouse.key');
  if (opts.create === false && !existsSync(file)) throw new Error(`no key file ${file}`);
  return [loadOrCreateKeyFile(file)];
}

/** The database `config.store` names, migrated (PostgreSQL pool errors are logged). */
export function openConfiguredDatabase(config: GatewayConfig, log: Logger) {
  const s = config.store;
  return openStoreDatabase(
    s.type === 'sqlite'
      ? s
      : {
          ...s,
          // A replica frozen mid-transaction for a lease period has lost the lease anyway.
          idleInTransactionMs: Math.round(s.leaseSeconds * 1000),
          onPoolError: (err) => {
            log.warn({ err }, 'an idle database connection failed');
          },
        }
  );
}

/**
 * How often a replica on PostgreSQL reads the events other replicas stored, to publish them to
 * its own streams (live events from another replica arrive this late at most).
 */
const EVENT_POLL_MS = 250;

/**
 * Opens the database and the stores, and starts the event recorder. With `fence`, cluster and
 * worker writes are refused once this process no longer leads (see ha/leadership.ts).
 */
export async function openStores(
  config: GatewayConfig,
  log: Logger,
  clock: Clock,
  fence: WriteFence | null = null
): Promise<Stores> {
  securePrivateDir(config.dataDir, log);
  if (config.store.type === 'sqlite' && config.store.path !== ':memory:') {
    mkdirSync(path.dirname(config.store.path), { recursive: true, mode: 0o700 });
  }
  const keys = storeKeys(config);
  const db = await openConfiguredDatabase(config, log);
  const store = createClusterStore(db, createSecretBox(keys), fence);
  const instanceId = await loadOrCreateInstanceId(db);
  const accessStore = createAccessStore(db);
  const eventStore = createEventStore(db);
  const events = createEventRecorder({
    store: eventStore,
    bus: createEventBus(),
    clock,
    log: log.child({ module: 'events' }),
    pollMs: config.store.type === 'postgres' ? EVENT_POLL_MS : null,
  });
  await events.start();
  const auditLog = log.child({ module: 'audit' });
  const audit: Audit = (actor, action, target, outcome, detail = '') => {
    auditLog.info({ actor, action, target, outcome, detail }, `audit: ${actor} ${action}`);
    accessStore
      .audit({ time: clock.now(), actor, action, target, outcome, detail })
      .catch((err: unknown) => {
        log.error({ err }, 'audit write failed');
      });
  };
  const queueStore = createQueueStore(db, (err) => {
    log.error({ err }, 'pool queue write failed');
  });
  const shares = await loadClusterShares(db);
  return {
    store,
    accessStore,
    eventStore,
    events,
    instanceId,
    audit,
    queueStore,
    shares,
    budgetGrants: createBudgetGrants(db),
    lease: createLeaderLease(db),
  };
}
