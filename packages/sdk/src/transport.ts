/**
 * The HTTP layer: builds URLs under the gateway's address, adds the `Authorization` header,
 * turns failed responses into the SDK's error classes, and checks every JSON answer against
 * its wire schema so callers get typed values or a clear error, never a guess.
 * @module
 */
import type { Static, TSchema } from 'typebox';
import Value from 'typebox/value';
import { authorizationHeader, type Auth } from './auth.js';
import { GatehouseError, ServerError, UnreachableError, errorFromResponse } from './errors.js';

/** The `fetch` function the SDK uses (the global one unless the caller injects another). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Query parameters; `undefined` values are left out. */
export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

/** One request. */
export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path under the address, e.g. `/api/v1/clusters/`. */
  readonly path: string;
  readonly query?: Query;
  /** Sent as JSON when given. */
  readonly body?: unknown;
  readonly signal?: AbortSignal | undefined;
  /** Default: `application/json`. */
  readonly accept?: string;
}

/** Sends requests to one gateway. */
export class Transport {
  /** The gateway's address without a trailing slash, e.g. `http://127.0.0.1:8000`. */
  readonly address: string;
  private readonly auth: Auth | null;
  private readonly fetchFn: FetchLike;
  private readonly extraHeaders: (spec: RequestSpec) => Readonly<Record<string, string>>;

  /**
   * @param address - the gateway's address (with its prefix, if any).
   * @param auth - the credentials; `null` sends none.
   * @param fetchFn - default: the global `fetch`.
   * @param headers - extra headers for each request (e.g. a browser session's CSRF token).
   */
  constructor(
    address: string,
    auth: Auth | null,
    fetchFn?: FetchLike,
    headers?: (spec: RequestSpec) => Readonly<Record<string, string>>
  ) {
    this.address = address.replace(/\/+$/, '');
    this.auth = auth;
    this.fetchFn = fetchFn ?? ((input, init) => fetch(input, init));
    this.extraHeaders = headers ?? (() => ({}));
  }

  /** The absolute URL of `path` with `query`. */
  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.address}${path}${qs === '' ? '' : `?${qs}`}`;
  }

  /** Sends `spec`; resolves to the response when its status is 2xx, else throws the mapped error. */
  async send(spec: RequestSpec): Promise<Response> {
    const headers: Record<string, string> = {
      ...this.extraHeaders(spec),
      Accept: spec.accept ?? 'application/json',
    };
    if (this.auth !== null) headers['Authorization'] = authorizationHeader(this.auth);
    const init: RequestInit = { method: spec.method, headers, redirect: 'follow' };
    if (spec.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(spec.body);
    }
    if (spec.signal !== undefined) init.signal = spec.signal;
    const url = this.url(spec.path, spec.query);
    let res: Response;
    try {
      res = await this.fetchFn(url, init);
    } catch (err) {
      if (spec.signal?.aborted === true) throw err;
      throw new UnreachableError(
        `Cannot reach the gateway at ${this.address} (${describe(err)}). Check the address ` +
          'and that the gateway is running.',
        null,
        'unreachable',
        { cause: err }
      );
    }
    if (res.ok) return res;
    const text = await res.text().catch(() => '');
    throw errorFromResponse(res.status, res.statusText, parseJson(text));
  }

  /** Sends `spec` and returns its JSON body, checked against `schema`. */
  async json<S extends TSchema>(schema: S, spec: RequestSpec): Promise<Static<S>> {
    return (await this.jsonResponse(schema, spec)).body;
  }

  /** {@link json}, with the answer's headers (e.g. a list's `X-Total-Count`). */
  async jsonResponse<S extends TSchema>(
    schema: S,
    spec: RequestSpec
  ): Promise<{ body: Static<S>; headers: Headers }> {
    const res = await this.send(spec);
    const text = await res.text();
    const body = parseJson(text);
    if (!Value.Check(schema, body)) {
      const first = [...Value.Errors(schema, body)][0];
      const where = first === undefined ? '' : ` (${first.instancePath || '/'}: ${first.message})`;
      throw new ServerError(
        `Unexpected answer from ${spec.method} ${spec.path}${where}; is ${this.address} a ` +
          'Gatehouse of the same version?',
        res.status,
        'bad_response'
      );
    }
    return { body, headers: res.headers };
  }

  /** Sends `spec` and discards the body (for 204 answers). */
  async empty(spec: RequestSpec): Promise<void> {
    const res = await this.send(spec);
    await res.body?.cancel();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return `${err.message}${cause}`;
  }
  return String(err);
}

/** True when `err` is an SDK error with one of `codes`. */
export function hasCode(err: unknown, ...codes: string[]): err is GatehouseError {
  return err instanceof GatehouseError && codes.includes(err.code);
}
