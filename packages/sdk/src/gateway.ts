/**
 * `Gateway`: the user's verbs of the Python `dask_gateway.Gateway`, in TypeScript style, plus
 * Gatehouse's own (events, logs, the shared pool, access requests) and the admin verbs under
 * {@link Gateway.admin}.
 * @module
 */
import {
  AdminCluster,
  BudgetJson,
  BrowserSession,
  ClusterDetail,
  ClusterJson,
  ClusterMap,
  CreatedCluster,
  EventList,
  LogsJson,
  MeJson,
  OptionsResponse,
  PoolJson,
  RequestJson,
  ScaleResult,
  type ClusterEvent,
  type ClusterListParams,
  type ClusterStatus,
} from '@gatehouse/api';
import { Type } from 'typebox';
import { AdminApi } from './admin.js';
import type { Auth } from './auth.js';
import { ClusterOptions } from './cluster-options.js';
import { SharesApi } from './shares.js';
import { fetchClusterPage, type ClusterPage } from './cluster-list.js';
import { eventsPath, streamEvents, type StreamOptions } from './event-stream.js';
import { Transport, type FetchLike, type RequestSpec } from './transport.js';
import { waitForRunning, waitForWorkers, type WaitOptions } from './waiting.js';

/** How to reach a gateway. */
export interface GatewayOptions {
  /** The gateway's address, e.g. `http://127.0.0.1:8000` (with its prefix, if any). */
  readonly address: string;
  /** The credentials. Default: none (only the health and version routes answer). */
  readonly auth?: Auth | null;
  /** The `fetch` to use. Default: the global `fetch`. */
  readonly fetch?: FetchLike;
  /** Extra headers per request (see `browserSessionHeaders`). Default: none. */
  readonly headers?: (spec: RequestSpec) => Readonly<Record<string, string>>;
}

/** Arguments of {@link Gateway.adapt}. */
export interface AdaptOptions {
  /** The fewest workers. Default: 0. */
  readonly minimum?: number | null;
  /** The most workers. Default: `null`, unlimited (the gateway's limits still apply). */
  readonly maximum?: number | null;
  /** Whether adaptive scaling is on. Default: true (false turns it off). */
  readonly active?: boolean;
}

const Version = Type.Object({ version: Type.String() });

/** A client of one Gatehouse (or any dask-gateway server, for the dask-gateway verbs). */
export class Gateway {
  /** The HTTP layer, shared with the admin verbs. */
  readonly transport: Transport;
  /** The admin verbs (they need the admin role). */
  readonly admin: AdminApi;
  /** The share verbs: the owner's grants and revocations, and what is shared with the caller. */
  readonly shares: SharesApi;

  /** @param options - the address, credentials and `fetch` to use. */
  constructor(options: GatewayOptions) {
    this.transport = new Transport(
      options.address,
      options.auth ?? null,
      options.fetch,
      options.headers
    );
    this.admin = new AdminApi(this.transport);
    this.shares = new SharesApi(this.transport);
  }

  /** The gateway's address, without a trailing slash. */
  get address(): string {
    return this.transport.address;
  }

  /** The server's version (no authentication needed). */
  async version(): Promise<string> {
    return (await this.transport.json(Version, { method: 'GET', path: '/api/version' })).version;
  }

  /** Who the gateway thinks the caller is, and whether they are granted and admin. */
  async me(): Promise<MeJson> {
    return this.transport.json(MeJson, { method: 'GET', path: '/api/v1/me' });
  }

  /** The cluster options this user may set, with their defaults as the values. */
  async clusterOptions(): Promise<ClusterOptions> {
    const r = await this.transport.json(OptionsResponse, {
      method: 'GET',
      path: '/api/v1/options',
    });
    return new ClusterOptions(r.cluster_options);
  }

  /**
   * Creates a cluster and returns its name; it starts in the background (see
   * {@link waitForRunning}).
   * @param options - option values, or a {@link ClusterOptions}. Default: the gateway's defaults.
   * @throws InvalidOptionsError naming the field; QuotaExceededError; NotGrantedError.
   */
  async newCluster(options: ClusterOptions | Record<string, unknown> = {}): Promise<string> {
    const values = options instanceof ClusterOptions ? options.toJSON() : options;
    const r = await this.transport.json(CreatedCluster, {
      method: 'POST',
      path: '/api/v1/clusters/',
      body: { cluster_options: values },
    });
    return r.name;
  }

  /**
   * The caller's clusters.
   * @param options - `status`: only these statuses. Default: the active ones (PENDING, RUNNING).
   */
  async listClusters(
    options: { status?: ClusterStatus | readonly ClusterStatus[] } = {}
  ): Promise<ClusterJson[]> {
    const { status } = options;
    const query = status === undefined ? {} : { status: [status].flat().join(',') };
    const map = await this.transport.json(ClusterMap, {
      method: 'GET',
      path: '/api/v1/clusters/',
      query,
    });
    return Object.values(map);
  }

  /**
   * One cluster of the caller.
   * @param options - `wait`: long-poll until its status changes (default false); `signal`.
   * @throws NotFoundError; ForbiddenError when it belongs to someone else.
   */
  async getCluster(
    name: string,
    options: { wait?: boolean; signal?: AbortSignal } = {}
  ): Promise<ClusterJson> {
    return this.transport.json(ClusterJson, {
      method: 'GET',
      path: clusterPath(name),
      query: { wait: options.wait === true ? 1 : undefined },
      signal: options.signal,
    });
  }

  /**
   * Waits until the cluster is RUNNING, following its events (`onEvent` sees each one), or
   * long-polling `?wait` on servers without events.
   * @throws ClusterFailedError with the cause and log tail when it fails or stops first.
   */
  async waitForRunning(name: string, options: WaitOptions = {}): Promise<ClusterJson> {
    return waitForRunning(this, name, options);
  }

  /**
   * Waits until at least `count` workers of the cluster are connected, following its events.
   * @returns the number connected.
   * @throws ClusterFailedError when the cluster fails or stops first.
   */
  async waitForWorkers(name: string, count: number, options: WaitOptions = {}): Promise<number> {
    return waitForWorkers(this, name, count, options);
  }

  /**
   * Asks for `count` workers. `ok` is false, with a message, when a limit clamped the count.
   * @throws InvalidRequestError for a negative or fractional count.
   */
  async scale(name: string, count: number): Promise<ScaleResult> {
    return this.transport.json(ScaleResult, {
      method: 'POST',
      path: `${clusterPath(name)}/scale`,
      body: { count },
    });
  }

  /** Turns adaptive scaling on (between `minimum` and `maximum` workers) or off. */
  async adapt(name: string, options: AdaptOptions = {}): Promise<ScaleResult> {
    return this.transport.json(ScaleResult, {
      method: 'POST',
      path: `${clusterPath(name)}/adapt`,
      body: {
        minimum: options.minimum ?? 0,
        maximum: options.maximum ?? null,
        active: options.active ?? true,
      },
    });
  }

  /** Stops the cluster (nothing happens for an unknown or already stopped one). */
  async stopCluster(name: string): Promise<void> {
    await this.transport.empty({ method: 'DELETE', path: clusterPath(name) });
  }

  /**
   * The recorded events of a cluster, oldest first; of all the caller's clusters with `null`.
   * @param options - `since`: only events after this id. Default: all.
   */
  async events(cluster: string | null, options: { since?: number } = {}): Promise<ClusterEvent[]> {
    const r = await this.transport.json(EventList, {
      method: 'GET',
      path: eventsPath(cluster),
      query: { since: options.since },
    });
    return r.events;
  }

  /** Follows events as they happen (recorded ones first), until `signal` aborts. */
  watchEvents(cluster: string | null, options: StreamOptions = {}): AsyncGenerator<ClusterEvent> {
    return streamEvents(this.transport, cluster, options);
  }

  /**
   * The last lines of the cluster's scheduler and worker logs.
   * @param options - `tail`: lines per process (default 200); `process`: only this one.
   */
  async logs(name: string, options: { tail?: number; process?: string } = {}): Promise<LogsJson> {
    return this.transport.json(LogsJson, {
      method: 'GET',
      path: `${clusterPath(name)}/logs`,
      query: { tail: options.tail, process: options.process },
    });
  }

  /** The shared pool of worker machines: in use, free, and the caller's share. */
  async pool(): Promise<PoolJson> {
    return this.transport.json(PoolJson, { method: 'GET', path: '/api/v1/pool' });
  }

  /** The caller's core-hour budget this period: used, left, and where they stand. */
  async budget(): Promise<BudgetJson> {
    return this.transport.json(BudgetJson, { method: 'GET', path: '/api/v1/me/budget' });
  }

  /** Files an access request for an ungranted caller. Default message: empty. */
  async requestAccess(message = ''): Promise<RequestJson> {
    return this.transport.json(RequestJson, {
      method: 'POST',
      path: '/api/v1/access-requests',
      body: { message },
    });
  }

  /**
   * The caller's clusters with what they use (workers running, starting and wanted, cores,
   * memory, cost so far, age, lifetime left).
   * @param options - `status`: only these statuses. Default: every cluster on record (the
   *   active ones and those finished within the history period); at most 100.
   */
  async clusterDetails(
    options: { status?: ClusterStatus | readonly ClusterStatus[] } = {}
  ): Promise<AdminCluster[]> {
    const { status } = options;
    return this.transport.json(Type.Array(AdminCluster), {
      method: 'GET',
      path: '/api/v1/me/clusters',
      query: status === undefined ? {} : { status: [status].flat().join(',') },
    });
  }

  /**
   * One page of the caller's clusters and how many matched.
   * @param params - status filter, text (`q`), sort, order, limit (≤ 500) and offset.
   */
  async clusterPage(params: ClusterListParams = {}): Promise<ClusterPage> {
    return fetchClusterPage(this.transport, '/api/v1/me/clusters', params);
  }

  /**
   * One cluster of the caller (admins: anyone's) with what it uses and its worker series.
   * @throws NotFoundError when there is none, or it is someone else's.
   */
  async clusterDetail(name: string): Promise<ClusterDetail> {
    return this.transport.json(ClusterDetail, {
      method: 'GET',
      path: `/api/v1/me/clusters/${encodeURIComponent(name)}`,
    });
  }

  /** The browser's web UI session: its user (null when logged out) and how it logs in. */
  async browserSession(): Promise<BrowserSession> {
    return this.transport.json(BrowserSession, { method: 'GET', path: '/api/ui/session' });
  }

  /**
   * Logs the browser in to the web UI with a username and password (an empty username takes an
   * API token as the password); the gateway sets the session cookies.
   * @throws UnauthenticatedError when they are wrong.
   */
  async browserLogin(username: string, password: string): Promise<MeJson> {
    return this.transport.json(MeJson, {
      method: 'POST',
      path: '/api/ui/login',
      body: { username, password },
    });
  }

  /** Ends the browser's web UI session. */
  async browserLogout(): Promise<void> {
    await this.transport.empty({ method: 'POST', path: '/api/ui/logout' });
  }

  /** The absolute dashboard URL of a cluster, or `null` when it has none yet. */
  dashboardUrl(cluster: Pick<ClusterJson, 'dashboard_route'>): string | null {
    return cluster.dashboard_route === null ? null : `${this.address}${cluster.dashboard_route}`;
  }
}

function clusterPath(name: string): string {
  return `/api/v1/clusters/${encodeURIComponent(name)}`;
}
