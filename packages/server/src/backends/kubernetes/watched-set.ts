/**
 * A cache of the objects one list+watch follows, kept alive: client-node's informer re-lists on
 * `410 Gone` by itself, but stops for good on any other error (and `start()` resolves even when
 * its list failed), and nothing ends a watch that went silent. This wrapper restarts it after
 * an error with a doubling backoff, restarts it from its last resource version every
 * `watchTimeout` seconds (a silent watch is replaced), and reports every change.
 * @module
 */
import { makeInformer, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KubernetesListObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** What a watched set is built from. */
export interface WatchedSetOptions<T extends KubernetesObject> {
  readonly kc: KubeConfig;
  /** API path of the collection, e.g. `/api/v1/namespaces/ns/pods`. */
  readonly path: string;
  /** Lists the collection with the same label selector. */
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector: string;
  readonly log: Logger;
  /** Seconds after which the watch is replaced by a fresh one. */
  readonly watchTimeout: number;
  /** Told of every added, changed or deleted object (`deleted` true for the last). */
  readonly onChange: (obj: T, deleted: boolean) => void;
}

/** The longest pause between restarts after errors, ms. */
const MAX_BACKOFF_MS = 30_000;

/** A kept-alive informer cache; see the module comment. */
export class WatchedSet<T extends KubernetesObject> {
  readonly #o: WatchedSetOptions<T>;
  readonly #inf: ReturnType<typeof makeInformer<T>>;
  #stopped = false;
  /** While a (re)start runs, its errors are judged by the starter, not the error handler. */
  #restarting = false;
  #failures = 0;
  /** Errors seen, counted so a start can tell whether its list failed. */
  #errors = 0;
  #retry: NodeJS.Timeout | null = null;
  #refresh: NodeJS.Timeout | null = null;

  constructor(o: WatchedSetOptions<T>) {
    this.#o = o;
    this.#inf = makeInformer(o.kc, o.path, o.list, o.labelSelector);
    this.#inf.on('add', (obj) => {
      o.onChange(obj, false);
    });
    this.#inf.on('update', (obj) => {
      o.onChange(obj, false);
    });
    this.#inf.on('delete', (obj) => {
      o.onChange(obj, true);
    });
    this.#inf.on('error', (err: unknown) => {
      this.#onError(err);
    });
  }

  /** The cached objects. */
  list(): readonly T[] {
    return this.#inf.list();
  }

  /** One cached object by name. */
  get(name: string, namespace: string): T | undefined {
    return this.#inf.get(name, namespace);
  }

  /**
   * Lists and starts watching; retries with backoff until the list succeeded or `deadlineMs`
   * passed (then rejects with the last error).
   */
  async start(deadlineMs: number): Promise<void> {
    const until = Date.now() + deadlineMs;
    let wait = 250;
    for (;;) {
      const before = this.#errors;
      this.#restarting = true;
      await this.#inf.start();
      this.#restarting = false;
      if (this.#errors === before) break;
      if (Date.now() + wait > until) {
        throw new Error(`cannot list ${this.#o.path}: ${this.#lastError}`);
      }
      await new Promise((r) => setTimeout(r, wait));
      wait = Math.min(wait * 2, MAX_BACKOFF_MS);
    }
    this.#failures = 0;
    this.#refresh = setInterval(() => void this.#restart('refresh'), this.#o.watchTimeout * 1000);
    this.#refresh.unref();
  }

  /** Stops watching for good. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#retry !== null) clearTimeout(this.#retry);
    if (this.#refresh !== null) clearInterval(this.#refresh);
    await this.#inf.stop();
  }

  #lastError = '';

  #onError(err: unknown): void {
    // stop() aborts the watch request; only this class stops it.
    if (err instanceof Error && err.name === 'AbortError') return;
    this.#errors++;
    this.#lastError = err instanceof Error ? err.message : String(err);
    if (this.#stopped || this.#restarting || this.#refresh === null) return;
    this.#failures++;
    const wait = Math.min(250 * 2 ** this.#failures, MAX_BACKOFF_MS);
    this.#o.log.warn(
      { path: this.#o.path, err: this.#lastError, retryInMs: wait },
      'watch failed; restarting'
    );
    if (this.#retry !== null) clearTimeout(this.#retry);
    this.#retry = setTimeout(() => void this.#restart('error'), wait);
    this.#retry.unref();
  }

  /** Replaces the watch (from the kept resource version; an empty one re-lists). */
  async #restart(why: 'error' | 'refresh'): Promise<void> {
    if (this.#stopped) return;
    this.#retry = null;
    const before = this.#errors;
    this.#restarting = true;
    await this.#inf.stop();
    await this.#inf.start();
    this.#restarting = false;
    if (this.#errors !== before) this.#onError(new Error(this.#lastError));
    else if (why === 'error') {
      this.#failures = 0;
    }
  }
}
