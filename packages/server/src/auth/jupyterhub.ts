/**
 * JupyterHub authentication (spec §2.4).
 *
 * The client sends `Authorization: jupyterhub <token>`, where the token is one the hub issued to
 * a user or a service. The gateway asks the hub who owns it with `GET <api_url>/user` and
 * `Authorization: token <that token>`, then maps the answer:
 *
 * | hub answer                                | result                                            |
 * | ----------------------------------------- | ------------------------------------------------- |
 * | < 400 with a user or service model        | the user (after the optional scope gate)          |
 * | 404                                       | null: the caller gets the 401 challenge           |
 * | 403, and the hub accepts our own token    | null: the user's token is unknown or expired      |
 * | 403, and the hub refuses our token too    | 500 "Permission failure verifying …"              |
 * | >= 500, timeout, connection error         | 502 "Upstream failure verifying …"                |
 * | other 4xx, or a body that is not a model  | 500 "Failure verifying …"                         |
 *
 * Why the 403 row has two outcomes: the spec maps a hub 403 to 500 "Permission failure" (as
 * upstream dask-gateway does), but real JupyterHub (checked against 6.1.1) answers `GET /user`
 * with 403, not 404, for a token it does not know. Mapping that straight to 500 would report
 * every mistyped or expired user token as a server fault. So on a 403 the authenticator asks the
 * hub once more with the gateway's own service token (`api_token`): if the hub accepts that one,
 * the fault is the user's token and the answer is the 401 challenge; if it refuses that one too,
 * it is the permission failure the spec names. A successful check is remembered for a minute so
 * a run of bad tokens costs one extra hub request, not one each.
 *
 * The messages are the spec's exact texts; the hub's status or the network error is attached as
 * the error's `cause`.
 * @module
 */
import { systemClock, type Clock } from '../clock.js';
import type { ResolvedJupyterHubAuth } from '../config/load.js';
import { GatewayError } from '../errors.js';
import { headerValue, type Authenticator, type Headers, type User } from './authenticator.js';

/** How long one request to the hub may take, body included (milliseconds). */
export const HUB_REQUEST_TIMEOUT_MS = 10_000;

/** How long a successful check of the gateway's own token is trusted (milliseconds). */
export const SERVICE_TOKEN_CHECK_TTL_MS = 60_000;

/** Error message when the hub refuses to say who owns a token (hub 403). */
export const PERMISSION_FAILURE = "Permission failure verifying user's JupyterHub API token";
/** Error message when the hub is down, slow or failing (hub >= 500, timeout, no connection). */
export const UPSTREAM_FAILURE = "Upstream failure verifying user's JupyterHub API token";
/** Error message for any other unexpected hub answer (other 4xx, a malformed body). */
export const VERIFY_FAILURE = "Failure verifying user's JupyterHub API token";

/** The parts of the hub's `GET /user` model the gateway uses, after validation. */
export interface HubIdentity {
  /** `user` or `service` (other kinds are kept as given). */
  readonly kind: string;
  readonly name: string;
  readonly admin: boolean;
  /** The user's groups; services have none. */
  readonly groups: readonly string[];
  /** The token's scopes; empty when the hub sent none. */
  readonly scopes: readonly string[];
}

/**
 * Extracts the token from `Authorization: jupyterhub <token>` (scheme in any case); null for any
 * other header. Only visible ASCII is accepted, since the token is copied into a header to the hub.
 */
export function parseJupyterHubHeader(header: string | undefined): string | null {
  if (header === undefined) return null;
  const m = /^jupyterhub[ ]+([\x21-\x7e]+)[ \t]*$/i.exec(header);
  return m?.[1] ?? null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

/**
 * Validates the hub's `GET /user` answer; null when it is not a user or service model. `kind`
 * defaults to `user`; `admin`, `groups` and `scopes` may be missing or null (services have no
 * groups), but when present they must have the right type.
 */
export function parseHubIdentity(body: unknown): HubIdentity | null {
  if (!isRecord(body)) return null;
  const { kind = 'user', name, admin = false, groups = [], scopes = [] } = body;
  if (typeof kind !== 'string' || kind === '') return null;
  if (typeof name !== 'string' || name === '') return null;
  const isAdmin = admin ?? false;
  const groupList = groups ?? [];
  const scopeList = scopes ?? [];
  if (typeof isAdmin !== 'boolean' || !isStringArray(groupList) || !isStringArray(scopeList)) {
    return null;
  }
  return { kind, name, admin: isAdmin, groups: groupList, scopes: scopeList };
}

/** The gateway username of a hub identity: `<kind>:<name>` unless a plain user name. */
export function gatewayUsername(identity: Pick<HubIdentity, 'kind' | 'name'>): string {
  const { kind, name } = identity;
  return kind !== 'user' || name.includes(':') ? `${kind}:${name}` : name;
}

/** True when `scopes` let the token use the service `serviceName` (spec §2.4 scope gate). */
export function hasServiceAccess(scopes: readonly string[], serviceName: string): boolean {
  return scopes.some(
    (s) =>
      s === 'access:services' ||
      (serviceName !== '' && s === `access:services!service=${serviceName}`)
  );
}

/** Asks the hub who owns each token, and maps its answer as the table above says. */
class JupyterHubAuthenticator implements Authenticator {
  readonly challenge = 'jupyterhub';
  readonly #cfg: ResolvedJupyterHubAuth;
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #userUrl: string;
  #serviceTokenCheckedAt = -Infinity;

  constructor(cfg: ResolvedJupyterHubAuth, fetchImpl: typeof fetch, clock: Clock) {
    this.#cfg = cfg;
    this.#fetch = fetchImpl;
    this.#clock = clock;
    this.#userUrl = `${cfg.api_url}/user`;
  }

  async authenticate(headers: Headers): Promise<User | null> {
    const token = parseJupyterHubHeader(headerValue(headers, 'authorization'));
    if (token === null) return null;
    const res = await this.#askHub(token);
    if (res.status >= 400) {
      await res.body?.cancel();
      return this.#refusal(res);
    }
    const identity = await this.#readIdentity(res);
    const cfg = this.#cfg;
    if (cfg.use_service_access_scopes && !hasServiceAccess(identity.scopes, cfg.service_name)) {
      return null;
    }
    return {
      name: gatewayUsername(identity),
      groups: identity.groups,
      admin: cfg.admin_from_hub && identity.admin,
    };
  }

  /** What a hub answer of 400 or more means: null for the 401 challenge, else it throws. */
  async #refusal(res: Response): Promise<null> {
    if (res.status === 404) return null;
    const cause = new Error(`GET ${this.#userUrl} answered ${res.status} ${res.statusText}`);
    if (res.status === 403) {
      if (await this.#hubAcceptsServiceToken()) return null;
      throw new GatewayError('internal', PERMISSION_FAILURE, { cause });
    }
    if (res.status >= 500) throw new GatewayError('upstream_failure', UPSTREAM_FAILURE, { cause });
    throw new GatewayError('internal', VERIFY_FAILURE, { cause });
  }

  /** `GET <api_url>/user` as the owner of `token`; throws the 502 when the hub is unreachable. */
  async #askHub(token: string): Promise<Response> {
    try {
      return await this.#fetch(this.#userUrl, {
        headers: { Authorization: `token ${token}`, Accept: 'application/json' },
        signal: AbortSignal.timeout(HUB_REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw new GatewayError('upstream_failure', UPSTREAM_FAILURE, { cause: err });
    }
  }

  /** Reads and validates a success body; 502 if reading fails, 500 if it is not a model. */
  async #readIdentity(res: Response): Promise<HubIdentity> {
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new GatewayError('upstream_failure', UPSTREAM_FAILURE, { cause: err });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new GatewayError('internal', VERIFY_FAILURE, { cause: err });
    }
    const identity = parseHubIdentity(body);
    if (identity === null) {
      throw new GatewayError('internal', VERIFY_FAILURE, {
        cause: new Error(`the hub's answer to GET ${this.#userUrl} is not a user or service model`),
      });
    }
    return identity;
  }

  /** Whether the hub accepts the gateway's own token (so a 403 was the user's token's fault). */
  async #hubAcceptsServiceToken(): Promise<boolean> {
    if (this.#clock.now() - this.#serviceTokenCheckedAt < SERVICE_TOKEN_CHECK_TTL_MS) return true;
    const res = await this.#askHub(this.#cfg.api_token);
    await res.body?.cancel();
    if (res.status >= 500) {
      const cause = new Error(
        `GET ${this.#userUrl} with the gateway's token answered ${res.status}`
      );
      throw new GatewayError('upstream_failure', UPSTREAM_FAILURE, { cause });
    }
    if (res.status >= 400) return false;
    this.#serviceTokenCheckedAt = this.#clock.now();
    return true;
  }
}

/**
 * Creates the JupyterHub authenticator.
 * @param cfg the resolved `auth` settings (api_url has no trailing slash).
 * @param fetchImpl the fetch to reach the hub with (tests inject one).
 * @param clock the time source of the service-token check's cache (the gateway passes its own).
 */
export function createJupyterHubAuthenticator(
  cfg: ResolvedJupyterHubAuth,
  fetchImpl: typeof fetch = fetch,
  clock: Clock = systemClock
): Authenticator {
  return new JupyterHubAuthenticator(cfg, fetchImpl, clock);
}
