/**
 * The gateway's client of a separately run proxy's control API (`gatehouse proxy`): lists,
 * sets and deletes routes and reads client connection counts. Every answer is validated.
 * @module
 */
import Value from 'typebox/value';
import type { TSchema, Static } from 'typebox';
import {
  ClientsResponse,
  ProxyInfo,
  RoutesResponse,
  type ClientsResponse as Clients,
  type ProxyInfo as Info,
} from './control-schemas.js';
import type { Route, RouteKey } from './route-table.js';

/** The proxy's control API as the gateway uses it. */
export interface ProxyControl {
  /** The control API's base URL (for messages). */
  readonly url: string;
  info(): Promise<Info>;
  listRoutes(): Promise<Route[]>;
  putRoute(route: Route): Promise<void>;
  deleteRoute(key: RouteKey): Promise<void>;
  clients(): Promise<Clients['clusters']>;
}

/** A control API request that failed (unreachable, refused, or an unexpected answer). */
export class ProxyControlError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProxyControlError';
  }
}

function routeUrl(key: RouteKey): string {
  return key.kind === 'SNI'
    ? `/routes/sni/${encodeURIComponent(key.sni)}`
    : `/routes/path/${key.path.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/')}`;
}

/** Creates a client of the control API at `baseUrl`, authenticating with `token`. */
export function createProxyControlClient(
  baseUrl: string,
  token: string,
  timeoutMs = 10_000
): ProxyControl {
  const base = baseUrl.replace(/\/+$/, '');

  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ProxyControlError(`the proxy control API at ${base} is not reachable`, {
        cause: err,
      });
    }
    const text = await res.text();
    if (!res.ok) {
      throw new ProxyControlError(
        `${method} ${base}${path} answered ${String(res.status)}: ${text.slice(0, 300)}`
      );
    }
    if (res.status === 204 || text === '') return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      throw new ProxyControlError(`${method} ${base}${path} answered invalid JSON`, {
        cause: err,
      });
    }
  }

  async function read<T extends TSchema>(schema: T, path: string): Promise<Static<T>> {
    const body = await call('GET', path);
    if (!Value.Check(schema, body)) {
      throw new ProxyControlError(`GET ${base}${path} answered an unexpected body`);
    }
    return body;
  }

  return {
    url: base,
    info: () => read(ProxyInfo, '/info'),
    listRoutes: async () => (await read(RoutesResponse, '/routes')).routes,
    async putRoute(route) {
      await call('PUT', routeUrl(route), { target: route.target });
    },
    async deleteRoute(key) {
      await call('DELETE', routeUrl(key));
    },
    clients: async () => (await read(ClientsResponse, '/clients')).clusters,
  };
}
