/**
 * The persistent side of a gateway: the database (with its encryption keys), the cluster,
 * access and event stores, the event recorder, the instance id and the audit trail.
 * @module
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { GatewayConfig } from '../config/load.js';
import { createEventBus } from '../events/event-bus.js';
import { createEventRecorder, type EventRecorder } from '../events/event-recorder.js';
import { createEventStore, type EventStore } from '../events/event-store.js';
import { createAccessStore, type AccessStore } from '../store/access-store.js';
import { createClusterStore, type ClusterStore } from '../store/cluster-store.js';
import { openDatabase } from '../store/db.js';
import { loadOrCreateInstanceId } from '../store/instance-id.js';
import { securePrivateDir } from '../store/private-files.js';
import { createSecretBox, loadOrCreateKeyFile, parseKey } from '../store/secret-box.js';

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
}

/** The encryption keys of stored secrets: configured, a key file beside the store, or a fixed one in memory. */
function storeKeys(config: GatewayConfig) {
  if (config.encryptionKeys.length > 0) return config.encryptionKeys.map(parseKey);
  if (config.storePath === ':memory:') return [parseKey(Buffer.alloc(32, 7).toString('base64'))];
  return [loadOrCreateKeyFile(path.join(path.dirname(config.storePath), 'gatehouse.key'))];
}

/** Opens the database and the stores, and starts the event recorder. */
export async function openStores(
  config: GatewayConfig,
  log: Logger,
  clock: Clock
): Promise<Stores> {
  securePrivateDir(config.dataDir, log);
  if (config.storePath !== ':memory:') {
    mkdirSync(path.dirname(config.storePath), { recursive: true, mode: 0o700 });
  }
  const keys = storeKeys(config);
  const db = await openDatabase(config.storePath);
  const store = createClusterStore(db, createSecretBox(keys));
  const instanceId = await loadOrCreateInstanceId(db);
  const accessStore = createAccessStore(db);
  const eventStore = createEventStore(db);
  const events = createEventRecorder({
    store: eventStore,
    bus: createEventBus(),
    clock,
    log: log.child({ module: 'events' }),
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
  return { store, accessStore, eventStore, events, instanceId, audit };
}
