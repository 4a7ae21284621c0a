/**
 * Waiting for a cluster to run and for its workers to connect, by following its events (the
 * start sequence), with a `?wait` long-poll fallback for servers without events.
 * @module
 */
import type { ClusterEvent, ClusterJson } from '@gatehouse/api';
import { ClusterFailedError, ServerError } from './errors.js';
import { EventsUnavailable, streamEvents } from './event-stream.js';
import type { Transport } from './transport.js';

/** Options of the wait verbs. */
export interface WaitOptions {
  /** Gives up when aborted (e.g. `AbortSignal.timeout(300_000)`). Default: wait indefinitely. */
  readonly signal?: AbortSignal | undefined;
  /** Called with each event of the cluster as it arrives (the replayed ones first). */
  readonly onEvent?: ((event: ClusterEvent) => void) | undefined;
}

/** What the wait functions need from the gateway. */
export interface ClusterSource {
  readonly transport: Transport;
  getCluster(
    name: string,
    options?: { wait?: boolean; signal?: AbortSignal }
  ): Promise<ClusterJson>;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function failed(name: string, status: string, event: ClusterEvent | null): ClusterFailedError {
  const reason = event === null ? null : str(event.data['reason']);
  const logTail = event === null ? null : str(event.data['log_tail']);
  const why = event?.message ?? (reason === null ? '' : `reason: ${reason}`);
  const what = status === 'FAILED' ? 'failed' : 'stopped';
  const message = `Cluster ${name} ${what} while waiting for it${why === '' ? '' : `: ${why}`}`;
  return new ClusterFailedError(message, { cluster: name, status, reason, logTail });
}

/** Throws `ClusterFailedError` for a cluster that stopped or failed, else returns `c`. */
function checkAlive(c: ClusterJson): ClusterJson {
  if (c.status === 'FAILED' || c.status === 'STOPPED') {
    throw failed(c.name, c.status, null);
  }
  return c;
}

/** Long-polls `?wait` until the cluster runs (returns at once if it already does). */
async function longPoll(src: ClusterSource, name: string, signal?: AbortSignal) {
  let c = checkAlive(await src.getCluster(name));
  while (c.status !== 'RUNNING') {
    signal?.throwIfAborted();
    c = checkAlive(
      await src.getCluster(name, signal === undefined ? { wait: true } : { wait: true, signal })
    );
  }
  return c;
}

/**
 * Resolves with the cluster once it is RUNNING; rejects with `ClusterFailedError` (carrying the
 * cause and the scheduler's log tail) when it fails or stops first.
 */
export async function waitForRunning(
  src: ClusterSource,
  name: string,
  options: WaitOptions = {}
): Promise<ClusterJson> {
  const { signal, onEvent } = options;
  const first = checkAlive(await src.getCluster(name));
  if (first.status === 'RUNNING' && onEvent === undefined) return first;
  try {
    for await (const ev of streamEvents(src.transport, name, { signal })) {
      onEvent?.(ev);
      if (ev.type === 'cluster.failed') throw failed(name, 'FAILED', ev);
      if (ev.type === 'cluster.stopped') throw failed(name, 'STOPPED', ev);
      if (ev.type === 'cluster.running') {
        const c = checkAlive(await src.getCluster(name));
        if (c.status === 'RUNNING') return c;
      }
    }
    signal?.throwIfAborted();
  } catch (err) {
    if (!(err instanceof EventsUnavailable)) throw err;
  }
  return longPoll(src, name, signal);
}

/**
 * Resolves with the number of connected workers once at least `count` are connected, counting
 * `worker.running` events less the workers that stopped or failed since. Rejects with
 * `ClusterFailedError` when the cluster fails or stops first.
 * @throws EventsUnavailable from servers without the events routes.
 */
export async function waitForWorkers(
  src: ClusterSource,
  name: string,
  count: number,
  options: WaitOptions = {}
): Promise<number> {
  const { signal, onEvent } = options;
  checkAlive(await src.getCluster(name));
  const running = new Set<string>();
  for await (const ev of streamEvents(src.transport, name, { signal })) {
    onEvent?.(ev);
    const worker = ev.worker ?? '';
    if (ev.type === 'worker.running') running.add(worker);
    if (
      ev.type === 'worker.stopping' ||
      ev.type === 'worker.stopped' ||
      ev.type === 'worker.failed'
    )
      running.delete(worker);
    if (ev.type === 'cluster.failed') throw failed(name, 'FAILED', ev);
    if (ev.type === 'cluster.stopping' || ev.type === 'cluster.stopped')
      throw failed(name, 'STOPPED', ev);
    if (running.size >= count) return running.size;
  }
  signal?.throwIfAborted();
  checkAlive(await src.getCluster(name));
  throw new ServerError(`The event stream of cluster ${name} ended early`, null, 'bad_response');
}
