/**
 * Browser login through JupyterHub: the OAuth 2 authorization-code flow with the hub as the
 * provider and Gatehouse as a hub service (client id `service-<name>` by default), as JupyterHub's
 * own services log users in.
 *
 * 1. `begin` picks a random `state`, remembers where the browser wants to go, and returns the
 *    hub's authorize URL and a short-lived HttpOnly cookie carrying the state. The cookie binds
 *    the flow to this browser: a callback whose state the browser's cookie does not carry is
 *    refused, so nobody can log another browser in with their own code (login CSRF).
 * 2. The hub logs the user in and sends the browser back to the callback with `code` and `state`.
 * 3. `finish` checks the state (known, unexpired, used once, the cookie's), trades the code for
 *    an access token at the hub's token endpoint (client secret: Gatehouse's service token), asks
 *    the hub who the token belongs to, and applies the same scope gate and admin mapping as API
 *    requests with hub tokens. Groups come from that answer or, when the token may not read them,
 *    from the hub's user model read with the service token.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ResolvedJupyterHubAuth } from '../config/load.js';
import { GatewayError } from '../errors.js';
import type { User } from './authenticator.js';
import { sameSecret } from './same-secret.js';
import { HubOAuthCalls, refused } from './hub-oauth-calls.js';
import { gatewayUsername, hasServiceAccess } from './jupyterhub.js';

/** Name of the cookie carrying the state of a login in progress. */
export const OAUTH_STATE_COOKIE = 'gatehouse-oauth-state';
/** How long a browser has to come back from the hub (seconds). */
export const OAUTH_STATE_MAX_AGE = 600;
/** At most this many logins may be in progress at once (older ones are dropped first). */
const MAX_PENDING = 10_000;

/** Where `begin` sends the browser, and the cookie to set on the way. */
export interface OAuthStart {
  /** The hub's authorize URL with this flow's parameters. */
  readonly location: string;
  /** The state the cookie must carry back. */
  readonly state: string;
}

/** The user a finished flow logged in, and where to send the browser. */
export interface OAuthResult {
  readonly user: User;
  readonly next: string;
}

/** The query of the hub's redirect back to the callback. */
export interface OAuthQuery {
  readonly code: string | undefined;
  readonly state: string | undefined;
  readonly error: string | undefined;
}

/** The JupyterHub OAuth flow of one gateway. */
export interface HubOAuth {
  /** Starts a login that returns to `next`; `callbackUrl` is the redirect URI to register. */
  begin(next: string, callbackUrl: string): OAuthStart;
  /**
   * Completes a login. Throws `unauthenticated` with a message for the login page when the
   * state or code is wrong or the hub refuses, `forbidden` when the hub's token may not use
   * this service, and `upstream_failure` when the hub cannot be reached.
   */
  finish(query: OAuthQuery, cookieState: string | undefined): Promise<OAuthResult>;
}

/** A login in progress: where it returns to, its redirect URI and when it began. */
interface Pending {
  readonly next: string;
  readonly callbackUrl: string;
  readonly created: number;
}

/** Settings of the flow: the hub's addresses, the service's identity and the scope gate. */
type FlowSettings = ResolvedJupyterHubAuth & { readonly oauth_client_id: string };

/** The flow: logins in progress by state, and the hub calls that finish them. */
class HubOAuthFlow implements HubOAuth {
  readonly #pending = new Map<string, Pending>();
  readonly #cfg: FlowSettings;
  readonly #clock: Clock;
  readonly #calls: HubOAuthCalls;

  constructor(cfg: FlowSettings, clock: Clock, fetchImpl: typeof fetch) {
    this.#cfg = cfg;
    this.#clock = clock;
    this.#calls = new HubOAuthCalls(cfg, fetchImpl);
  }

  begin(next: string, callbackUrl: string): OAuthStart {
    const pending = this.#pending;
    const now = this.#clock.now();
    for (const [k, p] of pending) {
      if (pending.size < MAX_PENDING && now - p.created < OAUTH_STATE_MAX_AGE * 1000) break;
      pending.delete(k);
    }
    const state = randomBytes(24).toString('base64url');
    pending.set(state, { next, callbackUrl, created: now });
    const params = new URLSearchParams({
      client_id: this.#cfg.oauth_client_id,
      redirect_uri: callbackUrl,
      response_type: 'code',
      state,
    });
    return { location: `${this.#cfg.public_url}/api/oauth2/authorize?${params.toString()}`, state };
  }

  async finish(query: OAuthQuery, cookieState: string | undefined): Promise<OAuthResult> {
    const p = this.#takeState(query.state ?? '', cookieState);
    if (query.error !== undefined) {
      throw refused(`JupyterHub refused the login (${query.error.slice(0, 100)})`);
    }
    if (query.code === undefined || query.code === '') {
      throw refused('JupyterHub sent no authorization code; log in again');
    }
    const token = await this.#calls.redeem(query.code, p.callbackUrl);
    const identity = await this.#calls.whoOwns(token);
    const cfg = this.#cfg;
    if (cfg.use_service_access_scopes && !hasServiceAccess(identity.scopes, cfg.service_name)) {
      throw new GatewayError(
        'forbidden',
        `Your JupyterHub login may not use the ${cfg.service_name} service; ask an administrator for the access:services!service=${cfg.service_name} scope`
      );
    }
    return {
      user: {
        name: gatewayUsername(identity),
        groups: identity.groups,
        admin: cfg.admin_from_hub && identity.admin,
      },
      next: p.next,
    };
  }

  /** The login `state` began, used once; refused unless known, unexpired and the cookie's. */
  #takeState(state: string, cookieState: string | undefined): Pending {
    const p = this.#pending.get(state);
    if (p !== undefined) this.#pending.delete(state);
    if (
      p === undefined ||
      cookieState === undefined ||
      !sameSecret(cookieState, state) ||
      this.#clock.now() - p.created >= OAUTH_STATE_MAX_AGE * 1000
    ) {
      throw refused('This login link is stale or was not started in this browser; log in again');
    }
    return p;
  }
}

/** Creates the flow for `cfg`, whose `oauth_client_id` must be set. */
export function createHubOAuth(
  cfg: FlowSettings,
  clock: Clock,
  fetchImpl: typeof fetch = fetch
): HubOAuth {
  return new HubOAuthFlow(cfg, clock, fetchImpl);
}
