/**
 * Keeping the pool current: nodes come and go (an autoscaler adds and removes them, admins
 * cordon and label them), so the backend re-reads the pool now and then and hands a changed one
 * to the gateway (`BackendChoice.onPoolChange`). A failed read keeps the last pool and is
 * reported; the next read tries again.
 *
 * The backend may call `refresh()` itself too, for instance from a node informer's events, so a
 * change is seen at once rather than at the next period.
 * @module
 */
import type { PoolConfig } from '../../config/schema.js';
import type { NodePoolReading } from './node-pool.js';

/** How often the pool is re-read by default: a minute, well below an autoscaler's node start. */
export const NODE_POOL_REFRESH_MS = 60_000;

/** What the refresher is built with. */
export interface NodePoolRefreshOptions {
  /** Reads the pool (a `readNodePool` call with the backend's client and config). */
  readonly read: () => Promise<NodePoolReading>;
  /** The pool in use now (the one read at start). */
  readonly initial: PoolConfig;
  /** Called with each pool whose machine types differ from the last one. */
  readonly onPool: (reading: NodePoolReading) => void;
  /** Called when a read fails; the last pool stays in use. */
  readonly onError: (err: unknown) => void;
}

/** Re-reads the pool on demand and on a timer. */
export interface NodePoolRefresher {
  /** Reads the pool once; true when it changed (and `onPool` was called). */
  refresh(): Promise<boolean>;
  /** Re-reads every `periodMs` until `stop()`; the timer keeps no process alive. */
  start(periodMs?: number): void;
  stop(): void;
}

/** The machine types of a pool in a comparable form. */
function shape(pool: PoolConfig): string {
  return JSON.stringify(pool.machine_types);
}

/** Creates a refresher (not started). */
export function createNodePoolRefresher(opts: NodePoolRefreshOptions): NodePoolRefresher {
  let last = shape(opts.initial);
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<boolean> | null = null;
  const readOnce = async (): Promise<boolean> => {
    try {
      const reading = await opts.read();
      const now = shape(reading.pool);
      if (now === last) return false;
      last = now;
      opts.onPool(reading);
      return true;
    } catch (err) {
      opts.onError(err);
      return false;
    }
  };
  const refresh = (): Promise<boolean> => {
    // One read at a time: a timer tick during a slow read joins it.
    running ??= readOnce().finally(() => {
      running = null;
    });
    return running;
  };
  return {
    refresh,
    start(periodMs = NODE_POOL_REFRESH_MS) {
      if (timer !== null) return;
      timer = setInterval(() => void refresh(), periodMs);
      timer.unref();
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}
