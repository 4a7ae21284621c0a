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

/** The queue: keys ready, queued, running, dirty (enqueued while running) and backing off. */
class KeyedWorkQueue implements WorkQueue {
  readonly #task: (key: string) => Promise<void>;
  readonly #opts: WorkQueueOptions;
  readonly #ready: string[] = [];
  readonly #queued = new Set<string>();
  readonly #running = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #retryTimers = new Map<string, NodeJS.Timeout>();
  #idleWaiters: Array<() => void> = [];
  #closed = false;

  constructor(task: (key: string) => Promise<void>, opts: WorkQueueOptions) {
    this.#task = task;
    this.#opts = opts;
  }

  enqueue(key: string): void {
    if (this.#closed) return;
    if (this.#running.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    const timer = this.#retryTimers.get(key);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.#retryTimers.delete(key);
    }
    this.#queued.add(key);
    this.#ready.push(key);
    this.#pump();
  }

  idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#checkIdle();
    });
  }

  close(): void {
    this.#closed = true;
    for (const t of this.#retryTimers.values()) clearTimeout(t);
    this.#retryTimers.clear();
    this.#ready.length = 0;
    this.#queued.clear();
    this.#checkIdle();
  }

  /** Resolves the idle waiters when nothing is ready, running or backing off. */
  #checkIdle(): void {
    if (this.#ready.length === 0 && this.#running.size === 0 && this.#retryTimers.size === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Starts ready keys up to the parallelism. */
  #pump(): void {
    while (!this.#closed && this.#running.size < this.#opts.parallelism) {
      const key = this.#ready.shift();
      if (key === undefined) break;
      this.#queued.delete(key);
      this.#running.add(key);
      void this.#task(key).then(
        () => {
          this.#failures.delete(key);
          this.#finish(key);
        },
        (err: unknown) => {
          this.#failed(key, err);
        }
      );
    }
    this.#checkIdle();
  }

  /** Reports a failed key and retries it after its backoff (unless the queue closed). */
  #failed(key: string, err: unknown): void {
    this.#opts.onError(key, err);
    if (this.#closed) {
      this.#finish(key);
      return;
    }
    const n = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, n);
    const { backoffMax = 300, backoffBase = 0.1 } = this.#opts;
    const delay = Math.min(backoffMax, backoffBase * 2 ** (n - 1));
    const timer = setTimeout(() => {
      this.#retryTimers.delete(key);
      this.enqueue(key);
      this.#checkIdle();
    }, delay * 1000);
    timer.unref();
    this.#retryTimers.set(key, timer);
    this.#finish(key);
  }

  /** Ends a key's run; a key enqueued meanwhile runs again. */
  #finish(key: string): void {
    this.#running.delete(key);
    if (this.#dirty.delete(key)) this.enqueue(key);
    this.#pump();
  }
}

/** Creates a queue processing keys with `task`. */
export function createWorkQueue(
  task: (key: string) => Promise<void>,
  opts: WorkQueueOptions
): WorkQueue {
  return new KeyedWorkQueue(task, opts);
}
