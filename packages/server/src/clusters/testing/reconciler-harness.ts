/**
 * A test harness for the reconciler: one in-memory SQLite store, one `FakeBackend` and an
 * injected clock shared by successive "gateways" (managers), so a test can crash one at a fault
 * point (after which nothing it does reaches the store or the backend) and start a fresh one
 * on the same store, as a restarted gateway would.
 * @module
 */
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { resolveClusterConfig } from '../../cluster-options/cluster-config.js';
import type { ResolvedTiming } from '../../config/load.js';
import type { FaultPoint } from '../../faults/fault-points.js';
import { createClusterStore } from '../../store/cluster-store.js';
import { openDatabase } from '../../store/db.js';
import type { Database } from '../../store/tables.js';
import { createSecretBox } from '../../store/secret-box.js';
import { assembleManager, runKey, type ClusterManager } from '../manager.js';
import { createManagerState, type ManagerState } from '../manager-state.js';
import { Job, isFinal, type ClusterRecord } from '../model.js';
import { FakeBackend } from './fake-backend.js';

/** Timings for the tests: every sweep off (tests call them), one start attempt per command. */
export const TEST_TIMING: ResolvedTiming = {
  heartbeatPeriod: 1,
  heartbeatTimeout: 10,
  clusterStartTimeout: 10,
  workerStartTimeout: 10,
  checkTimeoutsPeriod: 0,
  clusterStatusPeriod: 0,
  workerStatusPeriod: 0,
  workerStartFailureLimit: 3,
  schedulerApiRetries: 1,
  parallelism: 2,
  dbCleanupPeriod: 0,
  clusterMaxAge: 3600,
  orphanScanPeriod: 0,
};

/** One running gateway of the harness. */
export interface TestGateway {
  readonly manager: ClusterManager;
  readonly state: ManagerState;
  /** Names of clusters the proxy routes. */
  readonly routes: Set<string>;
  /** Makes this gateway die now: its queue stops and its later store/backend calls throw. */
  crash(): void;
  /** Whether it died (by `crash` or an armed fault point). */
  readonly dead: boolean;
}

/** The world successive gateways share. */
export interface Harness {
  readonly backend: FakeBackend;
  /** The injected clock's time (ms); tests move it forward. */
  now: number;
  /** Starts a gateway; with `crashAt`, it dies the first time it reaches that point. */
  gateway(opts?: { crashAt?: FaultPoint; timing?: Partial<ResolvedTiming> }): Promise<TestGateway>;
  close(): Promise<void>;
}

/** Fails every call once `dead()` (a crashed gateway's writes and signals never land). */
function guard<T extends object>(target: T, dead: () => boolean): T {
  return new Proxy(target, {
    get(t, key) {
      const v: unknown = Reflect.get(t, key, t);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]) => {
        if (dead()) throw new Error('the gateway crashed');
        return (v as (...a: unknown[]) => unknown).apply(t, args);
      };
    },
  });
}

async function startGateway(
  h: Harness,
  db: Kysely<Database>,
  opts: { crashAt?: FaultPoint; timing?: Partial<ResolvedTiming> }
): Promise<TestGateway> {
  let dead = false;
  let spent = false;
  const routes = new Set<string>();
  const isDead = () => dead;
  const store = guard(createClusterStore(db, createSecretBox([Buffer.alloc(32, 1)])), isDead);
  const crash = () => {
    dead = true;
    state.queue.close();
    for (const t of state.timers) clearInterval(t);
  };
  const state = createManagerState(
    {
      store,
      backend: guard(h.backend, isDead),
      routes: {
        add: (c) => void routes.add(c.name),
        remove: (name) => void routes.delete(name),
      },
      clock: { now: () => h.now },
      log: pino({ level: 'silent' }),
      timing: { ...TEST_TIMING, ...opts.timing },
      stopClustersOnShutdown: false,
      prefix: '',
      apiUrl: () => 'http://gateway.invalid',
      createTls: () => Promise.resolve({ cert: 'cert', key: 'key' }),
      faults: {
        reach(point) {
          if (dead) throw new Error(`the gateway crashed (reached ${point} after)`);
          if (point !== opts.crashAt || spent) return;
          spent = true;
          crash();
          throw new Error(`crashed at ${point}`);
        },
      },
    },
    runKey
  );
  const manager = assembleManager(state);
  h.backend.notify = (change) => {
    if (!dead) manager.onBackendChange(change);
  };
  await manager.start();
  return {
    manager,
    state,
    routes,
    crash,
    get dead() {
      return dead;
    },
  };
}

/** Opens a harness on a fresh in-memory store and fake backend. */
export async function openHarness(): Promise<Harness> {
  const db = await openDatabase(':memory:');
  const backend = new FakeBackend();
  await backend.listen();
  const h: Harness = {
    backend,
    now: 1_000_000,
    gateway: (opts = {}) => startGateway(h, db, opts),
    close: async () => {
      await backend.close();
      await db.destroy();
    },
  };
  return h;
}

/** A default cluster configuration. */
export const TEST_CONFIG = resolveClusterConfig({}, {}).config;

/** Sends the heartbeat of `c`'s fake scheduler (if it runs) and waits for the reconcile. */
export async function beat(h: Harness, g: TestGateway, c: ClusterRecord): Promise<void> {
  if (h.backend.scheduler(c.name) === undefined || c.status === Job.CREATED) return;
  await g.manager.heartbeat(c, h.backend.heartbeat(c.name));
  await g.manager.idle();
}

/** Heartbeats until `c` runs every wanted worker or ends (at most `rounds` rounds). */
export async function settle(
  h: Harness,
  g: TestGateway,
  c: ClusterRecord,
  rounds = 6
): Promise<void> {
  await g.manager.idle();
  for (let i = 0; i < rounds && !isFinal(c.status); i++) await beat(h, g, c);
}

/**
 * Problems with how records and fake processes agree: every live process is claimed by an
 * unfinished record naming its pid, and every final record's process is gone.
 */
export function inconsistencies(h: Harness, g: TestGateway): string[] {
  const out: string[] = [];
  for (const p of h.backend.live()) {
    const c = g.state.clusters.get(p.clusterName);
    const rec = p.workerName === null ? c : c?.workers.get(p.workerName);
    if (rec === undefined || isFinal(rec.status) || h.backend.processOf(rec.state) !== p) {
      out.push(
        `live process ${String(p.pid)} (${p.clusterName}/${p.workerName ?? 'scheduler'}) unclaimed`
      );
    }
  }
  for (const c of g.state.clusters.values()) {
    if (isFinal(c.status) && h.backend.isAlive(c)) out.push(`final cluster ${c.name} still runs`);
    for (const w of c.workers.values()) {
      if (isFinal(w.status) && h.backend.isAlive(c, w))
        out.push(`final worker ${w.name} still runs`);
    }
  }
  return out;
}
