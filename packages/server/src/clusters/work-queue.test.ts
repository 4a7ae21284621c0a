/**
 * Tests for the keyed work queue: per-key serialization, re-runs, the parallelism cap, retries
 * with backoff, idle() and close().
 * @module
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createWorkQueue, type WorkQueueOptions } from './work-queue.js';

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(err: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks and the queue's pump run. */
const flush = () => sleep(5);

/**
 * A task whose runs block until the test releases them. Records every call and the highest
 * number of runs in progress at once, overall and per key.
 */
function blockingTask() {
  const calls: string[] = [];
  const gates: Array<{ key: string; gate: Deferred }> = [];
  const running = new Map<string, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  let maxPerKey = 0;
  const task = async (key: string) => {
    calls.push(key);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    running.set(key, (running.get(key) ?? 0) + 1);
    maxPerKey = Math.max(maxPerKey, running.get(key) ?? 0);
    const gate = deferred();
    gates.push({ key, gate });
    try {
      await gate.promise;
    } finally {
      inFlight--;
      running.set(key, (running.get(key) ?? 1) - 1);
    }
  };
  /** Releases the oldest blocked run of `key` (or of any key). */
  const release = (key?: string, err?: Error) => {
    const i = gates.findIndex((g) => key === undefined || g.key === key);
    const entry = gates[i];
    assert.ok(entry !== undefined, `no blocked run of ${key ?? 'any key'}`);
    gates.splice(i, 1);
    if (err === undefined) entry.gate.resolve();
    else entry.gate.reject(err);
  };
  return {
    task,
    calls,
    release,
    blocked: () => gates.map((g) => g.key),
    maxInFlight: () => maxInFlight,
    maxPerKey: () => maxPerKey,
  };
}

const quiet: Pick<WorkQueueOptions, 'onError'> = {
  onError: () => {
    // expected in these tests
  },
};

/** Resolves true if `p` settles within `ms`, false otherwise. */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      resolve(false);
    }, ms);
  });
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The queue unrefs its retry timers, so a test awaiting a retry would otherwise find the event
 * loop empty. A ref'd interval stands in for the server's listening sockets.
 */
function keepEventLoopAlive(): void {
  let timer: NodeJS.Timeout | undefined;
  before(() => {
    timer = setInterval(() => undefined, 1000);
  });
  after(() => {
    clearInterval(timer);
  });
}

describe('createWorkQueue', () => {
  keepEventLoopAlive();

  it('runs an enqueued key', async () => {
    const seen: string[] = [];
    const q = createWorkQueue(
      (key) => {
        seen.push(key);
        return Promise.resolve();
      },
      { parallelism: 4, ...quiet }
    );
    q.enqueue('a');
    await q.idle();
    assert.deepEqual(seen, ['a']);
  });

  it('idle() resolves at once when nothing was enqueued', async () => {
    const q = createWorkQueue(() => Promise.resolve(), { parallelism: 1, ...quiet });
    assert.equal(await settlesWithin(q.idle(), 50), true);
  });

  it('never runs one key twice at once, and re-runs it once if enqueued while running', async () => {
    const t = blockingTask();
    const q = createWorkQueue(t.task, { parallelism: 4, ...quiet });
    q.enqueue('a');
    await flush();
    assert.deepEqual(t.blocked(), ['a']);
    q.enqueue('a');
    q.enqueue('a');
    q.enqueue('a');
    await flush();
    assert.deepEqual(t.blocked(), ['a'], 'no second concurrent run');
    t.release('a');
    await flush();
    assert.deepEqual(t.blocked(), ['a'], 'exactly one re-run');
    t.release('a');
    await q.idle();
    assert.deepEqual(t.calls, ['a', 'a']);
    assert.equal(t.maxPerKey(), 1);
  });

  it('deduplicates a key that is queued but not yet running', async () => {
    const t = blockingTask();
    const q = createWorkQueue(t.task, { parallelism: 1, ...quiet });
    q.enqueue('a');
    q.enqueue('b');
    q.enqueue('b');
    q.enqueue('c');
    q.enqueue('b');
    await flush();
    assert.deepEqual(t.blocked(), ['a']);
    t.release('a');
    await flush();
    t.release('b');
    await flush();
    t.release('c');
    await q.idle();
    assert.deepEqual(t.calls, ['a', 'b', 'c'], 'FIFO order, b once');
  });

  it('starts a task synchronously in enqueue() when a slot is free', async () => {
    let runs = 0;
    const q = createWorkQueue(
      () => {
        runs++;
        return Promise.resolve();
      },
      { parallelism: 1, ...quiet }
    );
    q.enqueue('a');
    assert.equal(runs, 1);
    // 'a' is already running, so a second enqueue asks for one re-run.
    q.enqueue('a');
    await q.idle();
    assert.equal(runs, 2);
  });

  it('runs at most `parallelism` keys at once, and all of them eventually', async () => {
    const t = blockingTask();
    const q = createWorkQueue(t.task, { parallelism: 2, ...quiet });
    for (const k of ['a', 'b', 'c', 'd', 'e']) q.enqueue(k);
    await flush();
    assert.deepEqual(t.blocked(), ['a', 'b']);
    t.release('b');
    await flush();
    assert.deepEqual(t.blocked(), ['a', 'c']);
    t.release('a');
    t.release('c');
    await flush();
    assert.deepEqual(t.blocked(), ['d', 'e']);
    t.release();
    t.release();
    await q.idle();
    assert.deepEqual(t.calls, ['a', 'b', 'c', 'd', 'e']);
    assert.equal(t.maxInFlight(), 2);
  });

  it('a re-run waits for a free slot like any other key', async () => {
    const t = blockingTask();
    const q = createWorkQueue(t.task, { parallelism: 1, ...quiet });
    q.enqueue('a');
    await flush();
    q.enqueue('a'); // dirty
    q.enqueue('b');
    await flush();
    t.release('a');
    await flush();
    assert.deepEqual(t.blocked(), ['b'], 'b was queued first');
    t.release('b');
    await flush();
    assert.deepEqual(t.blocked(), ['a']);
    t.release('a');
    await q.idle();
    assert.equal(t.maxInFlight(), 1);
  });

  it('idle() waits for queued keys, running keys and re-runs', async () => {
    const t = blockingTask();
    const q = createWorkQueue(t.task, { parallelism: 1, ...quiet });
    q.enqueue('a');
    q.enqueue('b');
    await flush();
    q.enqueue('a');
    const idle = q.idle();
    assert.equal(await settlesWithin(idle, 20), false);
    t.release('a');
    await flush();
    t.release('b');
    await flush();
    assert.equal(await settlesWithin(idle, 20), false, 'the re-run of a is still due');
    t.release('a');
    assert.equal(await settlesWithin(idle, 200), true);
  });

  it('several idle() waiters all resolve', async () => {
    const t = blockingTask();
    const q = createWorkQueue(t.task, { parallelism: 1, ...quiet });
    q.enqueue('a');
    await flush();
    const waiters = [q.idle(), q.idle(), q.idle()];
    t.release('a');
    assert.equal(await settlesWithin(Promise.all(waiters), 200), true);
  });

  it('retries a failing key with exponential backoff, reporting each error', async () => {
    const errors: Array<[string, unknown]> = [];
    const times: number[] = [];
    const q = createWorkQueue(
      (key) => {
        times.push(Date.now());
        if (times.length <= 3) return Promise.reject(new Error(`boom ${String(times.length)}`));
        assert.equal(key, 'a');
        return Promise.resolve();
      },
      {
        parallelism: 1,
        backoffBase: 0.02,
        onError: (key, err) => errors.push([key, err]),
      }
    );
    q.enqueue('a');
    await q.idle();
    assert.equal(times.length, 4);
    assert.deepEqual(
      errors.map(([k, e]) => [k, e instanceof Error ? e.message : e]),
      [
        ['a', 'boom 1'],
        ['a', 'boom 2'],
        ['a', 'boom 3'],
      ]
    );
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    // 20 ms, 40 ms, 80 ms (timers never fire early; allow 1 ms of clock granularity).
    assert.ok((gaps[0] ?? 0) >= 19, `first retry after ${String(gaps[0])} ms`);
    assert.ok((gaps[1] ?? 0) >= 39, `second retry after ${String(gaps[1])} ms`);
    assert.ok((gaps[2] ?? 0) >= 79, `third retry after ${String(gaps[2])} ms`);
  });

  it('caps the retry delay at backoffMax', async () => {
    const times: number[] = [];
    const q = createWorkQueue(
      () => {
        times.push(Date.now());
        return times.length <= 4 ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      { parallelism: 1, backoffBase: 0.01, backoffMax: 0.015, ...quiet }
    );
    q.enqueue('a');
    const start = Date.now();
    await q.idle();
    assert.equal(times.length, 5);
    // Uncapped: 10 + 20 + 40 + 80 = 150 ms. Capped: 10 + 15 + 15 + 15 = 55 ms.
    assert.ok(Date.now() - start < 140, `took ${String(Date.now() - start)} ms`);
  });

  it('resets the backoff after a success', async () => {
    const times: number[] = [];
    let fail = 3;
    const q = createWorkQueue(
      () => {
        times.push(Date.now());
        if (fail > 0) {
          fail--;
          return Promise.reject(new Error('boom'));
        }
        return Promise.resolve();
      },
      { parallelism: 1, backoffBase: 0.05, ...quiet }
    );
    q.enqueue('a'); // fails at 0, 50, 150 (delays 50, 100, 200), succeeds at 350
    await q.idle();
    fail = 1;
    q.enqueue('a');
    await q.idle();
    assert.equal(times.length, 6);
    const lastGap = (times[5] ?? 0) - (times[4] ?? 0);
    // After the reset the delay is 50 ms again; without it, it would be 400 ms.
    assert.ok(lastGap >= 49 && lastGap < 300, `retry after ${String(lastGap)} ms`);
  });

  it('an enqueue during the backoff wait runs the key at once', async () => {
    let calls = 0;
    const q = createWorkQueue(
      () => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      { parallelism: 1, backoffBase: 60, ...quiet }
    );
    q.enqueue('a');
    await flush();
    assert.equal(calls, 1);
    q.enqueue('a');
    assert.equal(await settlesWithin(q.idle(), 500), true);
    assert.equal(calls, 2);
  });

  it('idle() waits for pending retries', async () => {
    let calls = 0;
    const q = createWorkQueue(
      () => {
        calls++;
        return calls === 1 ? Promise.reject(new Error('boom')) : Promise.resolve();
      },
      { parallelism: 1, backoffBase: 0.03, ...quiet }
    );
    q.enqueue('a');
    await flush();
    const idle = q.idle();
    assert.equal(calls, 1);
    await idle;
    assert.equal(calls, 2);
  });

  it('a failure of one key does not hold up the others', async () => {
    const done: string[] = [];
    const q = createWorkQueue(
      (key) => {
        if (key === 'bad') return Promise.reject(new Error('boom'));
        done.push(key);
        return Promise.resolve();
      },
      { parallelism: 1, backoffBase: 60, ...quiet }
    );
    q.enqueue('bad');
    q.enqueue('good1');
    q.enqueue('good2');
    await sleep(30);
    assert.deepEqual(done, ['good1', 'good2']);
    q.close();
  });

  it('a key marked dirty while failing runs again at once instead of backing off', async () => {
    const t = blockingTask();
    const q = createWorkQueue(t.task, { parallelism: 1, backoffBase: 60, ...quiet });
    q.enqueue('a');
    await flush();
    q.enqueue('a');
    t.release('a', new Error('boom'));
    await flush();
    assert.deepEqual(t.blocked(), ['a']);
    t.release('a');
    assert.equal(await settlesWithin(q.idle(), 500), true);
  });
});

describe('createWorkQueue close()', () => {
  keepEventLoopAlive();

  it('drops queued keys, lets running ones finish, and ignores later enqueues', async () => {
    const t = blockingTask();
    const q = createWorkQueue(t.task, { parallelism: 1, ...quiet });
    q.enqueue('a');
    q.enqueue('b');
    await flush();
    q.enqueue('a'); // dirty: must not re-run after close
    q.close();
    q.enqueue('c');
    await flush();
    assert.deepEqual(t.blocked(), ['a'], 'the running task is not interrupted');
    const idle = q.idle();
    assert.equal(await settlesWithin(idle, 20), false);
    t.release('a');
    assert.equal(await settlesWithin(idle, 200), true);
    await flush();
    assert.deepEqual(t.calls, ['a']);
  });

  it('cancels pending retries', async () => {
    let calls = 0;
    const q = createWorkQueue(
      () => {
        calls++;
        return Promise.reject(new Error('boom'));
      },
      { parallelism: 1, backoffBase: 0.01, ...quiet }
    );
    q.enqueue('a');
    await flush();
    q.close();
    assert.equal(await settlesWithin(q.idle(), 100), true);
    await sleep(40);
    assert.equal(calls, 1);
  });

  it('idle() resolves at once on a closed, empty queue', async () => {
    const q = createWorkQueue(() => Promise.resolve(), { parallelism: 1, ...quiet });
    q.close();
    assert.equal(await settlesWithin(q.idle(), 50), true);
  });

  it('idle() resolves after close() when a running task then fails', async () => {
    const t = blockingTask();
    const q = createWorkQueue(t.task, { parallelism: 1, backoffBase: 0.01, ...quiet });
    q.enqueue('a');
    await flush();
    q.close();
    t.release('a', new Error('boom'));
    assert.equal(await settlesWithin(q.idle(), 300), true, 'idle() never resolved');
    assert.deepEqual(t.calls, ['a'], 'no retry after close');
  });
});
