/**
 * The web UI's gateway client: the TypeScript SDK's `Gateway` over the browser's session
 * cookie, with `X-Requested-With` on every call (so the server never answers with a Basic
 * challenge) and the CSRF header on state-changing ones. The pages use this small surface.
 * @module
 */
import {
  Gateway,
  browserSessionHeaders,
  type AdminCluster,
  type ClusterDetail,
  type ClusterEvent,
  type OptionEntry,
  type ShareKind,
  type ShareLevelJson,
} from '@gatehouse/sdk';
export type { WorkerPoint } from '@gatehouse/api';

export type {
  AdminUser,
  MeJson as SessionUser,
  RequestJson as AccessRequest,
  BrowserSession as SessionInfo,
  LogsJson,
  ClusterShareJson as ShareInfo,
  PoolJson as PoolState,
  SharedCluster,
  TokenJson as TokenInfo,
  UsageDay,
} from '@gatehouse/sdk';

/** A cluster as the UI shows it. */
export type ClusterView = AdminCluster;

/** One cluster with its worker series (`GET /api/v1/me/clusters/{name}`). */
export type ClusterDetailView = ClusterDetail;

/** One process's log of a cluster. */
export interface ProcessLog {
  readonly name: string;
  readonly kind: string;
  readonly text: string;
}

/** The gateway's base path: what precedes `/ui/` in the page's address. */
export function gatewayBase(pathname: string): string {
  const i = pathname.indexOf('/ui/');
  return i < 0 ? '' : pathname.slice(0, i);
}

/**
 * How the last call went: answered, the gateway unreachable, or the session gone (a 401 on a
 * call other than the session and login ones).
 */
export type Connection = 'ok' | 'unreachable' | 'expired';

/** Routes whose 401 is an answer, not an expired session. */
const SESSION_ROUTES = /\/api\/ui\/(session|login|logout)$/;

/** The gateway calls the pages make. */
export class GatewayApi {
  /** The gateway's base path ('' or a prefix such as `/gw`). */
  readonly base: string;
  /** The SDK client, authenticated by the browser session. */
  readonly gateway: Gateway;
  private readonly listeners = new Set<(c: Connection) => void>();
  private connection: Connection = 'ok';

  constructor(base: string) {
    this.base = base;
    this.gateway = new Gateway({
      address: `${window.location.origin}${base}`,
      headers: browserSessionHeaders(() => document.cookie),
      fetch: (input, init) => this.watchedFetch(input, init),
    });
  }

  /** Calls `listener` whenever the connection changes; returns the function that stops it. */
  onConnection(listener: (c: Connection) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private setConnection(c: Connection): void {
    if (c === this.connection) return;
    this.connection = c;
    for (const l of this.listeners) l(c);
  }

  private async watchedFetch(input: string, init?: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(input, init);
    } catch (err) {
      if (init?.signal?.aborted !== true) this.setConnection('unreachable');
      throw err;
    }
    const path = new URL(input, window.location.href).pathname;
    if (res.status === 401 && !SESSION_ROUTES.test(path)) this.setConnection('expired');
    else if (res.status < 500 || res.status > 504) this.setConnection('ok');
    else this.setConnection('unreachable');
    return res;
  }

  session = () => this.gateway.browserSession();
  login = (username: string, password: string) => this.gateway.browserLogin(username, password);
  logout = () => this.gateway.browserLogout();
  requestAccess = (message: string) => this.gateway.requestAccess(message);

  /**
   * Every cluster of the caller on record: the active ones and those finished within the
   * history period (fetched 500 at a time).
   */
  clusters = async (): Promise<ClusterView[]> => {
    const all: ClusterView[] = [];
    for (;;) {
      const page = await this.gateway.clusterPage({ limit: 500, offset: all.length });
      all.push(...page.clusters);
      if (page.clusters.length === 0 || all.length >= page.total) return all;
    }
  };
  /** One of the caller's clusters (admins: anyone's) with its worker series. */
  cluster = (name: string): Promise<ClusterDetailView> => this.gateway.clusterDetail(name);
  options = async (): Promise<OptionEntry[]> => [...(await this.gateway.clusterOptions()).fields];
  create = (options: Record<string, unknown>) => this.gateway.newCluster(options);
  scale = (name: string, count: number) => this.gateway.scale(name, count);
  adapt = (name: string, minimum: number, maximum: number) =>
    this.gateway.adapt(name, { minimum, maximum, active: true });
  stopAdapt = (name: string) => this.gateway.adapt(name, { active: false });
  stop = async (name: string) => {
    await this.gateway.stopCluster(name);
    return null;
  };
  events = (name: string) => this.gateway.events(name);
  logs = async (name: string): Promise<ProcessLog[]> =>
    (await this.gateway.logs(name, { tail: 200 })).processes;
  pool = () => this.gateway.pool();
  budget = () => this.gateway.budget();
  /** The clusters others shared with the caller, with the caller's level. */
  sharedWithMe = () => this.gateway.shares.sharedWithMe();
  /** The owner's share verbs on one of their clusters. */
  shares = {
    list: (name: string) => this.gateway.shares.list(name),
    grant: (name: string, kind: ShareKind, principal: string, level: ShareLevelJson) =>
      this.gateway.shares.grant(name, kind, principal, level),
    revoke: (name: string, kind: ShareKind, principal: string) =>
      this.gateway.shares.revoke(name, kind, principal),
  };

  /**
   * Calls `onEvent` for every event of the caller's clusters (the SDK follows
   * `GET /api/v1/events`); returns the function that stops listening. `onDown` is told when the
   * stream is unavailable (the page then relies on polling).
   */
  subscribe(onEvent: (e: ClusterEvent) => void, onDown: () => void): () => void {
    const abort = new AbortController();
    void (async () => {
      try {
        for await (const e of this.gateway.watchEvents(null, { signal: abort.signal })) onEvent(e);
      } catch {
        if (!abort.signal.aborted) onDown();
      }
    })();
    return () => {
      abort.abort();
    };
  }

  admin = {
    clusters: (user?: string) =>
      this.gateway.admin.clusters(user === undefined || user === '' ? {} : { user }),
    stop: async (name: string) => {
      await this.gateway.admin.stopCluster(name);
      return null;
    },
    scale: (name: string, count: number) => this.gateway.admin.scaleCluster(name, count),
    users: () => this.gateway.admin.users(),
    grant: (user: string) => this.gateway.admin.grant(user),
    revoke: (user: string) => this.gateway.admin.revoke(user),
    requests: () => this.gateway.admin.requests({ status: 'pending' }),
    approve: (id: number) => this.gateway.admin.approve(id),
    deny: (id: number, reason?: string) => this.gateway.admin.deny(id, reason),
    tokens: () => this.gateway.admin.tokens(),
    issueToken: (username: string, label: string, admin: boolean) =>
      this.gateway.admin.issueToken(username, { label, admin }),
    revokeToken: (id: string) => this.gateway.admin.revokeToken(id),
    usage: (days: number) => this.gateway.admin.usage({ days }),
  };
}
