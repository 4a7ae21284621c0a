/**
 * What the dashboard authorizer's parts share (a leaf module): what it is built from, and the
 * answers it gives instead of the dashboard: a refusal (the error's status and JSON body, naming
 * the request's id like every error body) or a redirect.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Principal } from '../access/access-control.js';
import { headerValue, type User } from '../auth/authenticator.js';
import type { DashboardGrants } from '../auth/dashboard-grants.js';
import type { ClusterRecord } from '../clusters/model.js';
import type { GatewayError } from '../errors.js';
import { rawErrorAnswer } from '../errors-http.js';
import type { DashboardHosts } from '../proxy/dashboard-host.js';
import type { DashboardVerdict } from '../proxy/ports.js';
import type { UserAuth } from './auth-hook.js';

/** The parts of a dashboard request the authorizer reads. */
export type DashboardRequest = Pick<IncomingMessage, 'headers' | 'method' | 'url'>;

/** One question to the authorizer: may `req` reach the dashboard of cluster `name`? */
export interface DashboardAsk {
  readonly req: DashboardRequest;
  readonly name: string;
  /** The request's id, named in every refusal. */
  readonly requestId: string;
}

/** What the authorizer is built from. */
export interface DashboardAuthDeps {
  readonly userAuth: UserAuth;
  readonly cluster: (name: string) => ClusterRecord | undefined;
  /** The current access decision for a user (grants and roles as of now). */
  readonly principal: (user: User) => Principal;
  readonly grants: DashboardGrants;
  readonly hosts: DashboardHosts;
  /** The gateway's URL prefix ('' for none). */
  readonly prefix: string;
  /** Whether `user` holds a share of cluster `name` (any level gives its dashboard). */
  readonly shared?: (name: string, user: Principal) => boolean;
  /**
   * Told of each dashboard use by a user other than the cluster's owner that is let through on
   * the gateway's origin: a browser's opening (sent on to the dashboard host) or a script's
   * request (for the audit log).
   */
  readonly viewedByOther?: (name: string, user: Principal) => void;
}

/** The refusal for `err`: its status, headers and error body with the request's id. */
export function refusal(err: GatewayError, requestId: string): DashboardVerdict {
  const a = rawErrorAnswer(err.code, err.message, requestId, err.headers);
  return { allow: false, status: a.status, headers: a.headers, body: a.body };
}

/** A redirect to `location` (never cached), with `extra` headers. */
export function redirect(location: string, extra: Record<string, string> = {}): DashboardVerdict {
  return {
    allow: false,
    status: 302,
    headers: { Location: location, 'Cache-Control': 'no-store', ...extra },
    body: '',
  };
}

/** Whether a request was made by a browser (they all send Sec-Fetch-* headers). */
export function fromBrowserEngine(req: DashboardRequest): boolean {
  return ['sec-fetch-mode', 'sec-fetch-site', 'sec-fetch-dest'].some(
    (h) => headerValue(req.headers, h) !== undefined
  );
}

/**
 * Whether `p` may view the dashboard of `c`: its owner with access, a user with access holding a
 * share of it (`shared`), or an admin.
 */
export function mayViewCluster(
  p: Principal,
  c: ClusterRecord | undefined,
  shared?: DashboardAuthDeps['shared']
): boolean {
  if (c === undefined) return false;
  return p.admin || (p.granted && (c.username === p.name || shared?.(c.name, p) === true));
}
