/**
 * Keeps a separately run proxy's routes equal to the gateway's own route table: each pass
 * lists the proxy's routes, adds what is missing or different and removes what is stale. Every
 * change and a periodic timer request a pass; passes run one at a time, and one requested while
 * another runs follows it, so the proxy converges on the latest table.
 * @module
 */
import type { Logger } from 'pino';
import type { ProxyControl } from './control-client.js';
import type { Route, RouteKey, RouteTable } from './route-table.js';

/** What one pass changes on the proxy. */
export interface RouteDiff {
  readonly put: readonly Route[];
  readonly remove: readonly RouteKey[];
}

const keyOf = (r: RouteKey) => (r.kind === 'PATH' ? `PATH ${r.path}` : `SNI ${r.sni}`);

/** The changes that turn `actual` into `desired`. */
export function diffRoutes(desired: readonly Route[], actual: readonly Route[]): RouteDiff {
  const want = new Map(desired.map((r) => [keyOf(r), r]));
  const have = new Map(actual.map((r) => [keyOf(r), r]));
  const put = [...want].filter(([k, r]) => have.get(k)?.target !== r.target).map(([, r]) => r);
  const remove: RouteKey[] = [...have]
    .filter(([k]) => !want.has(k))
    .map(([, r]) =>
      r.kind === 'PATH' ? { kind: r.kind, path: r.path } : { kind: r.kind, sni: r.sni }
    );
  return { put, remove };
}

/** Mirrors a route table onto a proxy. */
export interface RouteSync {
  /** Resolves once a pass that started after this call has finished (failures are logged). */
  request(): Promise<void>;
  /** Resolves once no pass is running or queued (for a clean stop). */
  idle(): Promise<void>;
  /** The last pass's outcome: what it changed, or why it failed. */
  last(): { diff: RouteDiff } | { error: string } | null;
}

/** Creates the synchroniser of `table` onto the proxy behind `control`. */
export function createRouteSync(control: ProxyControl, table: RouteTable, log: Logger): RouteSync {
  let chain: Promise<void> = Promise.resolve();
  let next: Promise<void> | null = null;
  let outcome: { diff: RouteDiff } | { error: string } | null = null;
  let failing = false;

  async function pass(): Promise<void> {
    try {
      const diff = diffRoutes(table.list(), await control.listRoutes());
      for (const r of diff.put) await control.putRoute(r);
      for (const k of diff.remove) await control.deleteRoute(k);
      if (diff.put.length + diff.remove.length > 0 || failing) {
        log.info(
          { added: diff.put.map(keyOf), removed: diff.remove.map(keyOf) },
          'proxy routes synchronised'
        );
      }
      failing = false;
      outcome = { diff };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!failing) log.warn({ err }, `proxy route synchronisation failed: ${message}`);
      failing = true;
      outcome = { error: message };
    }
  }

  return {
    request() {
      if (next !== null) return next;
      const started = chain.then(() => {
        next = null;
        return pass();
      });
      next = started;
      chain = started;
      return started;
    },
    idle: () => chain,
    last: () => outcome,
  };
}
