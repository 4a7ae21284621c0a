/**
 * The web UI's browser session routes under `/api/ui/` (Gatehouse only): who is logged in,
 * login with a username and password, logout.
 * @module
 */
import { Type, type Static } from 'typebox';
import { MeJson } from './admin.js';

/** `GET /api/ui/session`: the browser's user (null when logged out) and how it logs in. */
export const BrowserSession = Type.Object(
  {
    user: Type.Union([MeJson, Type.Null()]),
    login: Type.Union([Type.Literal('password'), Type.Literal('jupyterhub')], {
      description: 'How browsers log in: the password form, or JupyterHub OAuth',
    }),
  },
  { additionalProperties: false }
);

/** `GET /api/ui/session`. */
export type BrowserSession = Static<typeof BrowserSession>;

/** The header a browser returns the CSRF token in on state-changing requests. */
export const CSRF_HEADER_NAME = 'X-Gatehouse-CSRF';

/** The script-readable cookie carrying the CSRF token. */
export const CSRF_COOKIE_NAME = 'gatehouse-csrf';
