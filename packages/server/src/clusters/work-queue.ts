/**
 * A keyed work queue: each key is processed by at most one task at a time, a key enqueued while
 * it is being processed runs again afterwards, at most `parallelism` keys run at once, and a
 * failing key is retried with exponential backoff.
 * @module
 */

/** Options of a work queue. */
export interface WorkQueueOptions {
  readonly parallelism: number;
  /** Seconds before the first retry of a failed key. @default 0.1 */
  readonly backoffBase?: number;
  /** Longest retry delay in seconds. @default 300 */
  readonly backoffMax?: number;
  /** Called when a task throws (the key is then retried). */
  readonly onError: (key: string, err: unknown) => void;
}

/** A keyed, deduplicating, concurrency-limited queue. */
export interface WorkQueue {
  enqueue(key: string): void;
  /** Resolves when no key is queued, running or waiting for a retry. */
  idle(): Promise<void>;
  /** Stops scheduling; running tasks finish. */
  close(): void;
}

/** Creates a queue processing keys with `task`. */
export function createWorkQueue(
  task: (key: string) => Promise<void>,
  opts: WorkQueueOptions
): WorkQueue {
  const ready: string[] = [];
  const queued = new Set<string>();
  const running = new Set<string>();
  const dirty = new Set<string>();
  const failures = new Map<string, number>();
  const retryTimers = new Map<string, NodeJS.Timeout>();
  let idleWaiters: Array<() => void> = [];
  let closed = false;

  const checkIdle = () => {
    if (ready.length === 0 && running.size === 0 && retryTimers.size === 0) {
      const waiters = idleWaiters;
      idleWaiters = [];
      for (const w of waiters) w();
    }
  };

  const pump = () => {
    while (!closed && running.size < opts.parallelism && ready.length > 0) {
      const key = ready.shift();
      if (key === undefined) break;
      queued.delete(key);
      running.add(key);
      void task(key).then(
        () => {
          failures.delete(key);
          finish(key);
        },
        (err: unknown) => {
          opts.onError(key, err);
          if (closed) {
            finish(key);
            return;
          }
          const n = (failures.get(key) ?? 0) + 1;
          failures.set(key, n);
          const delay = Math.min(opts.backoffMax ?? 300, (opts.backoffBase ?? 0.1) * 2 ** (n - 1));
          const timer = setTimeout(() => {
            retryTimers.delete(key);
            enqueue(key);
            checkIdle();
          }, delay * 1000);
          timer.unref();
          retryTimers.set(key, timer);
          finish(key);
        }
      );
    }
    checkIdle();
  };

  const finish = (key: string) => {
    running.delete(key);
    if (dirty.delete(key)) enqueue(key);
    pump();
  };

  const enqueue = (key: string) => {
    if (closed) return;
    if (running.has(key)) {
      dirty.add(key);
      return;
    }
    if (queued.has(key)) return;
    const timer = retryTimers.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      retryTimers.delete(key);
    }
    queued.add(key);
    ready.push(key);
    pump();
  };

  return {
    enqueue,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      }),
    close() {
      closed = true;
      for (const t of retryTimers.values()) clearTimeout(t);
      retryTimers.clear();
      ready.length = 0;
      queued.clear();
      checkIdle();
    },
  };
}
