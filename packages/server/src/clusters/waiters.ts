/**
 * Long-poll support: callers wait until a cluster changes state or a timeout passes.
 * @module
 */

/** Per-cluster wake-ups. */
export interface Waiters {
  /** Resolves on the next `wake(name)` or after `ms`, whichever comes first. */
  wait(name: string, ms: number): Promise<void>;
  wake(name: string): void;
  wakeAll(): void;
}

/** Creates an empty set of waiters. */
export function createWaiters(): Waiters {
  const byName = new Map<string, Set<() => void>>();
  const wake = (name: string) => {
    const set = byName.get(name);
    if (set === undefined) return;
    byName.delete(name);
    for (const fn of set) fn();
  };
  return {
    wait(name, ms) {
      return new Promise<void>((resolve) => {
        const set = byName.get(name) ?? new Set();
        byName.set(name, set);
        const done = () => {
          clearTimeout(timer);
          set.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        set.add(done);
      });
    },
    wake,
    wakeAll() {
      for (const name of [...byName.keys()]) wake(name);
    },
  };
}
