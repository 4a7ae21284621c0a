/**
 * The web UI's gateway client: one place that speaks HTTP to Gatehouse, with the browser
 * session cookie, the CSRF header on state-changing calls and `X-Requested-With` on every call
 * (so the server never answers with a Basic challenge). The pages use only this interface, so
 * it can be backed by the TypeScript SDK's `Gateway` class once that exists.
 * @module
 */
import type { ClusterEvent, OptionEntry, ScaleResult } from '@gatehouse/api';

/** An error answer of the gateway: its `error` text, `code` and HTTP status. */
export class GatewayApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'GatewayApiError';
    this.status = status;
    this.code = code;
  }
}

/** The logged-in user. */
export interface SessionUser {
  readonly name: string;
  readonly groups: readonly string[];
  readonly admin: boolean;
  readonly granted: boolean;
}

/** `GET /api/ui/session`. */
export interface SessionInfo {
  readonly user: SessionUser | null;
  readonly login: 'password' | 'jupyterhub';
}

/** A cluster as the UI shows it (`/api/v1/me/clusters`, `/api/v1/admin/clusters`). */
export interface ClusterView {
  readonly name: string;
  readonly username: string;
  readonly status: string;
  readonly workers: number;
  readonly requested_workers: number;
  readonly cores: number;
  readonly memory: number;
  readonly worker_cores: number;
  readonly worker_memory: number;
  readonly start_time: number;
  readonly stop_time: number | null;
  readonly age_seconds: number;
  readonly lifetime_left_seconds: number | null;
  readonly stop_reason: string | null;
  readonly dashboard_route: string | null;
  readonly options: Readonly<Record<string, unknown>>;
}

/** `GET /api/v1/pool`. */
export interface PoolState {
  readonly machines_total: number;
  readonly machines_in_use: number;
  readonly machines_free: number;
  readonly users_with_machines: number;
  readonly your_machines: number;
  readonly user_machine_cap: number | null;
  readonly machine_types: readonly { name: string; cores: number; memory: number; count: number }[];
  readonly per_user?: Readonly<Record<string, number>>;
}

/** One process's log of a cluster. */
export interface ProcessLog {
  readonly name: string;
  readonly kind: string;
  readonly text: string;
}

/** An admin's view of a user. */
export interface AdminUser {
  readonly name: string;
  readonly granted: boolean;
  readonly active_clusters: number;
  readonly usage: { clusters: number; workers: number; cores: number; memory: number };
  readonly quota: {
    max_clusters: number | null;
    max_workers: number | null;
    max_cores: number | null;
    max_memory: number | null;
  };
  readonly pending_request: boolean;
}

/** An access request. */
export interface AccessRequest {
  readonly id: number;
  readonly username: string;
  readonly message: string;
  readonly status: string;
  readonly created_at: number;
}

/** An API token's metadata. */
export interface TokenInfo {
  readonly id: string;
  readonly username: string;
  readonly admin: boolean;
  readonly label: string;
  readonly created_by: string;
  readonly created_at: number;
  readonly revoked_at: number | null;
}

/** Core-hours of one user on one UTC day. */
export interface UsageDay {
  readonly username: string;
  readonly day: string;
  readonly core_hours: number;
  readonly memory_gib_hours: number;
}

/** The gateway's base path: what precedes `/ui/` in the page's address. */
export function gatewayBase(pathname: string): string {
  const i = pathname.indexOf('/ui/');
  return i < 0 ? '' : pathname.slice(0, i);
}

function csrfToken(): string {
  const m = /(?:^|;\s*)gatehouse-csrf=([^;]*)/.exec(document.cookie);
  return m?.[1] ?? '';
}

const enc = encodeURIComponent;

/** The gateway calls the pages make. */
export class GatewayApi {
  /** The gateway's base path ('' or a prefix such as `/gw`). */
  readonly base: string;

  constructor(base: string) {
    this.base = base;
  }

  /** One call; JSON in and out; throws GatewayApiError on an error answer. */
  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'X-Requested-With': 'gatehouse-ui',
    };
    if (method !== 'GET') headers['X-Gatehouse-CSRF'] = csrfToken();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const data: unknown = text === '' ? null : JSON.parse(text);
    if (!res.ok) {
      const err = (data ?? {}) as { error?: string; code?: string };
      throw new GatewayApiError(res.status, err.code ?? 'error', err.error ?? res.statusText);
    }
    return data as T;
  }

  session = () => this.call<SessionInfo>('GET', '/api/ui/session');
  login = (username: string, password: string) =>
    this.call<SessionUser>('POST', '/api/ui/login', { username, password });
  logout = () => this.call<null>('POST', '/api/ui/logout');
  requestAccess = (message: string) =>
    this.call<AccessRequest>('POST', '/api/v1/access-requests', { message });

  /** The caller's clusters: active ones, or with `all` stopped and failed ones too. */
  clusters = (all = false) =>
    this.call<ClusterView[]>(
      'GET',
      `/api/v1/me/clusters${all ? '?status=PENDING,RUNNING,STOPPING,STOPPED,FAILED' : ''}`
    );
  options = async () =>
    (await this.call<{ cluster_options: OptionEntry[] }>('GET', '/api/v1/options')).cluster_options;
  create = async (options: Record<string, unknown>) =>
    (await this.call<{ name: string }>('POST', '/api/v1/clusters/', { cluster_options: options }))
      .name;
  scale = (name: string, count: number) =>
    this.call<ScaleResult>('POST', `/api/v1/clusters/${enc(name)}/scale`, { count });
  adapt = (name: string, minimum: number, maximum: number) =>
    this.call<ScaleResult>('POST', `/api/v1/clusters/${enc(name)}/adapt`, {
      minimum,
      maximum,
      active: true,
    });
  stopAdapt = (name: string) =>
    this.call<ScaleResult>('POST', `/api/v1/clusters/${enc(name)}/adapt`, { active: false });
  stop = (name: string) => this.call<null>('DELETE', `/api/v1/clusters/${enc(name)}`);
  events = async (name: string) =>
    (await this.call<{ events: ClusterEvent[] }>('GET', `/api/v1/clusters/${enc(name)}/events`))
      .events;
  logs = async (name: string) =>
    (
      await this.call<{ processes: ProcessLog[] }>(
        'GET',
        `/api/v1/clusters/${enc(name)}/logs?tail=200`
      )
    ).processes;
  pool = () => this.call<PoolState>('GET', '/api/v1/pool');

  /**
   * Calls `onEvent` for every event of the caller's clusters (`GET /api/v1/events` as
   * server-sent events); returns the function that stops listening. `onDown` is told when the
   * stream is unavailable (the page then polls).
   */
  subscribe(onEvent: (e: ClusterEvent) => void, onDown: () => void): () => void {
    const source = new EventSource(`${this.base}/api/v1/events`);
    const handler = (m: MessageEvent<string>) => {
      onEvent(JSON.parse(m.data) as ClusterEvent);
    };
    source.onmessage = handler;
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) onDown();
    };
    const types = [
      'cluster.created',
      'cluster.starting',
      'cluster.running',
      'cluster.stopping',
      'cluster.stopped',
      'cluster.failed',
      'worker.starting',
      'worker.running',
      'worker.stopped',
      'worker.failed',
      'cluster.scale',
      'cluster.adapt',
      'request.refused',
    ];
    for (const t of types) source.addEventListener(t, handler);
    return () => {
      source.close();
    };
  }

  admin = {
    clusters: (user?: string) =>
      this.call<ClusterView[]>(
        'GET',
        `/api/v1/admin/clusters${user === undefined || user === '' ? '' : `?user=${enc(user)}`}`
      ),
    stop: (name: string) => this.call<null>('POST', `/api/v1/admin/clusters/${enc(name)}/stop`),
    scale: (name: string, count: number) =>
      this.call<ScaleResult>('POST', `/api/v1/admin/clusters/${enc(name)}/scale`, { count }),
    users: () => this.call<AdminUser[]>('GET', '/api/v1/admin/users'),
    grant: (user: string) => this.call<null>('PUT', `/api/v1/admin/grants/${enc(user)}`),
    revoke: (user: string) => this.call<null>('DELETE', `/api/v1/admin/grants/${enc(user)}`),
    requests: () => this.call<AccessRequest[]>('GET', '/api/v1/admin/requests?status=pending'),
    approve: (id: number) =>
      this.call<unknown>('POST', `/api/v1/admin/requests/${String(id)}/approve`),
    deny: (id: number) => this.call<unknown>('POST', `/api/v1/admin/requests/${String(id)}/deny`),
    tokens: () => this.call<TokenInfo[]>('GET', '/api/v1/admin/tokens'),
    issueToken: (username: string, label: string, admin: boolean) =>
      this.call<{ token: string; info: TokenInfo }>('POST', '/api/v1/admin/tokens', {
        username,
        label,
        admin,
      }),
    revokeToken: (id: string) => this.call<null>('DELETE', `/api/v1/admin/tokens/${enc(id)}`),
    usage: (days: number) =>
      this.call<UsageDay[]>('GET', `/api/v1/admin/usage?days=${String(days)}`),
  };
}
