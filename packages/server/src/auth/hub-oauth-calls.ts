/**
 * The hub requests of the browser login (`hub-oauth.ts`): trading an authorization code for an
 * access token at the hub's token endpoint, and asking the hub who owns that token, with the
 * groups read with the service token when the user's token may not read them.
 * @module
 */
import type { ResolvedJupyterHubAuth } from '../config/load.js';
import { GatewayError } from '../errors.js';
import { HUB_REQUEST_TIMEOUT_MS, parseHubIdentity, type HubIdentity } from './jupyterhub.js';

/** A refusal with a message for the login page. */
export function refused(message: string, cause?: unknown): GatewayError {
  return new GatewayError('unauthenticated', message, cause === undefined ? {} : { cause });
}

function upstream(what: string, cause: unknown): GatewayError {
  return new GatewayError('upstream_failure', `JupyterHub could not be reached to ${what}`, {
    cause,
  });
}

/** The settings the hub calls use. */
export type HubCallSettings = Pick<ResolvedJupyterHubAuth, 'api_url' | 'api_token'> & {
  readonly oauth_client_id: string;
};

/** The hub's token endpoint and user model, as the OAuth flow calls them. */
export class HubOAuthCalls {
  readonly #cfg: HubCallSettings;
  readonly #fetch: typeof fetch;
  /** The hub's token endpoint. */
  readonly tokenUrl: string;

  constructor(cfg: HubCallSettings, fetchImpl: typeof fetch) {
    this.#cfg = cfg;
    this.#fetch = fetchImpl;
    this.tokenUrl = `${cfg.api_url}/oauth2/token`;
  }

  /** Trades `code` for the user's access token; `redirectUri` is the one the flow began with. */
  async redeem(code: string, redirectUri: string): Promise<string> {
    const cfg = this.#cfg;
    const res = await this.#hub('finish the login', this.tokenUrl, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
      },
      body: new URLSearchParams({
        client_id: cfg.oauth_client_id,
        client_secret: cfg.api_token,
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
      }).toString(),
    });
    if (!res.ok) {
      const cause = new Error(`POST ${this.tokenUrl} answered ${String(res.status)}`);
      await res.body?.cancel();
      throw refused('JupyterHub did not accept the login code; log in again', cause);
    }
    const body = await this.#json('finish the login', res);
    const token =
      typeof body === 'object' && body !== null && 'access_token' in body
        ? body.access_token
        : undefined;
    if (typeof token !== 'string' || token === '') {
      throw refused('JupyterHub sent no access token; log in again');
    }
    return token;
  }

  /** The hub's model of the token's owner; groups and admin read with the service token. */
  async whoOwns(accessToken: string): Promise<HubIdentity> {
    const api = this.#cfg.api_url;
    const res = await this.#hub('identify you', `${api}/user`, {
      headers: { Authorization: `token ${accessToken}`, Accept: 'application/json' },
    });
    if (!res.ok) {
      await res.body?.cancel();
      throw refused(
        `JupyterHub did not say who you are (HTTP ${String(res.status)}); log in again`
      );
    }
    const body = await this.#json('identify you', res);
    const identity = parseHubIdentity(body);
    if (identity === null) throw refused('JupyterHub answered with something that is not a user');
    const hasGroups = typeof body === 'object' && body !== null && 'groups' in body;
    if (hasGroups || identity.kind !== 'user') return identity;
    const full = await this.#hub(
      'read your groups',
      `${api}/users/${encodeURIComponent(identity.name)}`,
      { headers: { Authorization: `token ${this.#cfg.api_token}`, Accept: 'application/json' } }
    );
    if (!full.ok) {
      await full.body?.cancel();
      return identity;
    }
    const model = parseHubIdentity(await this.#json('read your groups', full));
    return model === null ? identity : { ...identity, groups: model.groups, admin: model.admin };
  }

  /** One request to the hub; `what` names it in the 502 when the hub cannot be reached. */
  async #hub(what: string, url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.#fetch(url, {
        ...init,
        signal: AbortSignal.timeout(HUB_REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw upstream(what, err);
    }
  }

  /** The JSON body of a hub answer; a 502 naming `what` when it cannot be read. */
  async #json(what: string, res: Response): Promise<unknown> {
    try {
      return await res.json();
    } catch (err) {
      throw upstream(what, err);
    }
  }
}
