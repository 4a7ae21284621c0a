/**
 * The gateway replicas behind `gatehouse proxy` and what is known of each: whether it answers
 * and whether it leads. Each upstream's health route (`<prefix>/api/health`) is asked every
 * period and its `X-Gatehouse-Role` read; forwarded answers and failed connections update the
 * same state at once, so the forwarder need not wait for the next check. Waiters are woken on
 * every change (a leader found, an upstream back), which is what held requests await.
 * @module
 */
import http from 'node:http';
import type { Logger } from 'pino';
import { parseRole, ROLE_HEADER, type ReplicaRole } from '../ha/role-header.js';

/** One replica's private API and what the proxy knows of it. */
export interface UpstreamState {
  /** Base URL (no trailing slash, no prefix). */
  readonly url: string;
  /** Whether its last check or request reached it. */
  readonly healthy: boolean;
  /** Its role by its last answer; null when it has not answered since it was last down. */
  readonly role: ReplicaRole | null;
}

/** The replicas behind the proxy. */
export interface UpstreamPool {
  /** A healthy upstream that said it leads, or null while none is known (takeover). */
  leader(): UpstreamState | null;
  /**
   * An upstream not in `exclude`: the leader, else a healthy one, else one that was down (it may
   * be back before its next health check: a refused connection costs little); null if none.
   */
  pick(exclude: ReadonlySet<string>): UpstreamState | null;
  /** Records an answer of `url` (its role header value, possibly absent). */
  answered(url: string, role: string | string[] | undefined): void;
  /** Records that `url` could not be reached. */
  down(url: string): void;
  /** Resolves at the next change of any upstream's state, or after `ms`. */
  changed(ms: number): Promise<void>;
  /** Every upstream's state (for logs and tests). */
  list(): readonly UpstreamState[];
  /** Checks every upstream now and then every period. */
  start(): void;
  /** Stops the checks and wakes every waiter. */
  stop(): void;
}

/** How the pool checks its upstreams. */
export interface UpstreamPoolOptions {
  readonly urls: readonly string[];
  readonly prefix: string;
  readonly periodMs: number;
  readonly log: Logger;
}

/** One health check: the role header of a 200 answer, null for anything else (down). */
function check(url: string, timeoutMs: number): Promise<{ role: string | undefined } | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      const role = res.headers[ROLE_HEADER];
      resolve(
        res.statusCode === 200 ? { role: typeof role === 'string' ? role : undefined } : null
      );
    });
    req.on('timeout', () => req.destroy(new Error('health check timed out')));
    req.on('error', () => {
      resolve(null);
    });
  });
}

/** Creates the pool; nothing is checked until `start()`. */
export function createUpstreamPool(o: UpstreamPoolOptions): UpstreamPool {
  const states = new Map<string, UpstreamState>(
    o.urls.map((url) => [url, { url, healthy: true, role: null }])
  );
  let waiters: (() => void)[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let running = false;

  function set(url: string, next: UpstreamState): void {
    const prev = states.get(url);
    if (prev === undefined || (prev.healthy === next.healthy && prev.role === next.role)) return;
    states.set(url, next);
    o.log.info(
      { upstream: url, healthy: next.healthy, role: next.role },
      'gateway replica changed'
    );
    const woken = waiters;
    waiters = [];
    for (const w of woken) w();
  }

  const pool: UpstreamPool = {
    leader: () => [...states.values()].find((s) => s.healthy && s.role === 'leader') ?? null,
    pick(exclude) {
      const lead = pool.leader();
      if (lead !== null && !exclude.has(lead.url)) return lead;
      const left = [...states.values()].filter((s) => !exclude.has(s.url));
      return left.find((s) => s.healthy) ?? left[0] ?? null;
    },
    answered(url, role) {
      set(url, { url, healthy: true, role: parseRole(role) });
    },
    down(url) {
      set(url, { url, healthy: false, role: null });
    },
    changed(ms) {
      return new Promise((resolve) => {
        const t = setTimeout(done, Math.max(0, ms));
        function done() {
          clearTimeout(t);
          waiters = waiters.filter((w) => w !== done);
          resolve();
        }
        waiters.push(done);
      });
    },
    list: () => [...states.values()],
    start() {
      running = true;
      const timeoutMs = Math.max(1000, 2 * o.periodMs);
      for (const url of states.keys()) {
        const loop = async (): Promise<void> => {
          const got = await check(`${url}${o.prefix}/api/health`, timeoutMs);
          if (!running) return;
          if (got === null) pool.down(url);
          else pool.answered(url, got.role);
          const t = setTimeout(() => {
            timers.delete(t);
            void loop();
          }, o.periodMs);
          timers.add(t);
        };
        void loop();
      }
    },
    stop() {
      running = false;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const woken = waiters;
      waiters = [];
      for (const w of woken) w();
    },
  };
  return pool;
}
