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
import {
  HUB_REQUEST_TIMEOUT_MS,
  gatewayUsername,
  hasServiceAccess,
  parseHubIdentity,
} from './jupyterhub.js';

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

/** The JupyterHub OAuth flow of one gateway. */
export interface HubOAuth {
  /** Starts a login that returns to `next`; `callbackUrl` is the redirect URI to register. */
  begin(next: string, callbackUrl: string): OAuthStart;
  /**
   * Completes a login. Throws `unauthenticated` with a message for the login page when the
   * state or code is wrong or the hub refuses, `forbidden` when the hub's token may not use
   * this service, and `upstream_failure` when the hub cannot be reached.
   */
  finish(
    query: { code: string | undefined; state: string | undefined; error: string | undefined },
    cookieState: string | undefined
  ): Promise<OAuthResult>;
}

interface Pending {
  readonly next: string;
  readonly callbackUrl: string;
  readonly created: number;
}

function refused(message: string, cause?: unknown): GatewayError {
  return new GatewayError('unauthenticated', message, cause === undefined ? {} : { cause });
}

function upstream(what: string, cause: unknown): GatewayError {
  return new GatewayError('upstream_failure', `JupyterHub could not be reached to ${what}`, {
    cause,
  });
}

/** Creates the flow for `cfg`, whose `oauth_client_id` must be set. */
export function createHubOAuth(
  cfg: ResolvedJupyterHubAuth & { readonly oauth_client_id: string },
  clock: Clock,
  fetchImpl: typeof fetch = fetch
): HubOAuth {
  const pending = new Map<string, Pending>();
  const authorizeUrl = `${cfg.public_url}/api/oauth2/authorize`;
  const tokenUrl = `${cfg.api_url}/oauth2/token`;

  const hub = async (what: string, url: string, init: RequestInit): Promise<Response> => {
    try {
      return await fetchImpl(url, {
        ...init,
        signal: AbortSignal.timeout(HUB_REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw upstream(what, err);
    }
  };

  const json = async (what: string, res: Response): Promise<unknown> => {
    try {
      return await res.json();
    } catch (err) {
      throw upstream(what, err);
    }
  };

  /** The hub's model of the token's owner; groups and admin read with the service token. */
  const whoOwns = async (accessToken: string) => {
    const res = await hub('identify you', `${cfg.api_url}/user`, {
      headers: { Authorization: `token ${accessToken}`, Accept: 'application/json' },
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw refused(
        `JupyterHub did not say who you are (HTTP ${String(res.status)}); log in again`
      );
    }
    const body = await json('identify you', res);
    const identity = parseHubIdentity(body);
    if (identity === null) throw refused('JupyterHub answered with something that is not a user');
    const hasGroups = typeof body === 'object' && body !== null && 'groups' in body;
    if (hasGroups || identity.kind !== 'user') return identity;
    const full = await hub(
      'read your groups',
      `${cfg.api_url}/users/${encodeURIComponent(identity.name)}`,
      {
        headers: { Authorization: `token ${cfg.api_token}`, Accept: 'application/json' },
      }
    );
    if (!full.ok) {
      await full.body?.cancel();
      return identity;
    }
    const model = parseHubIdentity(await json('read your groups', full));
    return model === null ? identity : { ...identity, groups: model.groups, admin: model.admin };
  };

  return {
    begin(next, callbackUrl) {
      const now = clock.now();
      for (const [k, p] of pending) {
        if (pending.size < MAX_PENDING && now - p.created < OAUTH_STATE_MAX_AGE * 1000) break;
        pending.delete(k);
      }
      const state = randomBytes(24).toString('base64url');
      pending.set(state, { next, callbackUrl, created: now });
      const params = new URLSearchParams({
        client_id: cfg.oauth_client_id,
        redirect_uri: callbackUrl,
        response_type: 'code',
        state,
      });
      return { location: `${authorizeUrl}?${params.toString()}`, state };
    },

    async finish(query, cookieState) {
      const state = query.state ?? '';
      const p = pending.get(state);
      if (p !== undefined) pending.delete(state);
      if (
        p === undefined ||
        cookieState === undefined ||
        !sameSecret(cookieState, state) ||
        clock.now() - p.created >= OAUTH_STATE_MAX_AGE * 1000
      ) {
        throw refused('This login link is stale or was not started in this browser; log in again');
      }
      if (query.error !== undefined) {
        throw refused(`JupyterHub refused the login (${query.error.slice(0, 100)})`);
      }
      if (query.code === undefined || query.code === '') {
        throw refused('JupyterHub sent no authorization code; log in again');
      }
      const res = await hub('finish the login', tokenUrl, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Accept: 'application/json',
        },
        body: new URLSearchParams({
          client_id: cfg.oauth_client_id,
          client_secret: cfg.api_token,
          grant_type: 'authorization_code',
          code: query.code,
          redirect_uri: p.callbackUrl,
        }).toString(),
      });
      if (!res.ok) {
        const cause = new Error(`POST ${tokenUrl} answered ${String(res.status)}`);
        await res.body?.cancel();
        throw refused('JupyterHub did not accept the login code; log in again', cause);
      }
      const body = await json('finish the login', res);
      const token =
        typeof body === 'object' && body !== null && 'access_token' in body
          ? body.access_token
          : undefined;
      if (typeof token !== 'string' || token === '') {
        throw refused('JupyterHub sent no access token; log in again');
      }
      const identity = await whoOwns(token);
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
    },
  };
}
