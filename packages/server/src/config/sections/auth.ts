/**
 * The `auth` section: the Basic and JupyterHub authenticators (spec §2.3, §2.4).
 * @module
 */
import { Type, type Static } from 'typebox';
import { Seconds } from './primitives.js';

/** Settings of the Basic authenticator (spec §2.3). */
export const BasicAuthConfig = Type.Object(
  {
    type: Type.Literal('basic'),
    password: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: 'Shared password every user must send; null accepts any password.',
    }),
    users: Type.Record(Type.String(), Type.String({ pattern: '^scrypt:' }), {
      default: {},
      description:
        'Per-user password hashes (from `gatehouse hash-password`); when set, only these users may log in.',
    }),
    cookie_name: Type.Union([Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }), Type.Null()], {
      default: null,
      description: 'Session cookie name; null picks dask-gateway-<random hex> per process.',
    }),
    cache_max_age: Seconds(300, 'Seconds a session cookie stays valid without re-authentication.'),
  },
  { additionalProperties: false }
);

/** Settings of the JupyterHub authenticator (spec §2.4). */
export const JupyterHubAuthConfig = Type.Object(
  {
    type: Type.Literal('jupyterhub'),
    api_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
      default: null,
      description:
        "The hub's API URL, e.g. http://hub:8081/hub/api; null reads JUPYTERHUB_API_URL.",
    }),
    api_token: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description: "Gatehouse's own hub service token; null reads JUPYTERHUB_API_TOKEN.",
    }),
    service_name: Type.Union([Type.String(), Type.Null()], {
      default: null,
      description: 'Hub service name; null reads JUPYTERHUB_SERVICE_NAME (default empty).',
    }),
    use_service_access_scopes: Type.Union([Type.Boolean(), Type.Null()], {
      default: null,
      description:
        'Require the access:services scope for this service; null means true exactly when service_name is set.',
    }),
    admin_from_hub: Type.Boolean({
      default: true,
      description: 'Give the admin role to users the hub marks admin.',
    }),
    cookie_name: Type.Union([Type.String({ pattern: '^[A-Za-z0-9_.-]+$' }), Type.Null()], {
      default: null,
      description: 'Session cookie name; null picks dask-gateway-<random hex> per process.',
    }),
    cache_max_age: Seconds(300, 'Seconds a session cookie stays valid without re-authentication.'),
    public_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
      default: null,
      description:
        "The hub's URL as browsers reach it, e.g. https://hub.example.org/hub (web UI login); null reads JUPYTERHUB_PUBLIC_HUB_URL, else api_url without its /api.",
    }),
    oauth_client_id: Type.Union([Type.String({ minLength: 1 }), Type.Null()], {
      default: null,
      description:
        "OAuth client id of Gatehouse's hub service, for the web UI's login through the hub; null reads JUPYTERHUB_CLIENT_ID, else service-<service_name> (no service name: no browser login).",
    }),
    oauth_callback_url: Type.Union([Type.String({ pattern: '^https?://' }), Type.Null()], {
      default: null,
      description:
        "The OAuth redirect URI registered with the hub (<gateway URL>/api/ui/oauth/callback); null reads JUPYTERHUB_OAUTH_CALLBACK_URL, else is built from each login request's own address.",
    }),
  },
  { additionalProperties: false }
);

/** The `auth` section: one authenticator, Basic by default. */
export const AuthSection = Type.Union([BasicAuthConfig, JupyterHubAuthConfig], {
  default: { type: 'basic' },
});

/** Settings of the Basic authenticator. */
export type BasicAuthConfig = Static<typeof BasicAuthConfig>;
/** Settings of the JupyterHub authenticator, as written in the file. */
export type JupyterHubAuthConfig = Static<typeof JupyterHubAuthConfig>;
