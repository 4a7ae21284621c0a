/**
 * Serializes asynchronous work per key: the cluster store runs each record's writes one after
 * another, while writes to different records proceed concurrently.
 * @module
 */

/**
 * Runs writes to one key one after another, so a record's saves in this process never race
 * each other: each reads the version the previous one left.
 */
export function createKeyedSerializer(): <T>(key: string, run: () => Promise<T>) => Promise<T> {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const prev = tails.get(key) ?? Promise.resolve();
    const next = prev.then(run, run);
    const tail = next.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return next;
  };
}
