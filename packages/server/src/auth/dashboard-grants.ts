/**
 * Cluster-scoped dashboard credentials (issue 14). After its own login check the gateway issues
 * a short-lived, single-use code naming one cluster, one user and the page asked for; the
 * cluster's dashboard host trades it for a random token kept here, sent back as an HttpOnly,
 * host-only cookie of that host alone. A token opens nothing but the dashboard of the cluster it
 * was issued for, expires, and is dropped with its cluster; whether its user may still view the
 * dashboard is decided by the caller on every request, so a revoke takes effect at once.
 * Everything is in memory: after a restart the browser just follows the dashboard link again.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { User } from './authenticator.js';
import type { Clock } from '../clock.js';

/** Name of the dashboard host's cookie over HTTP. */
export const DASHBOARD_COOKIE = 'gatehouse-dashboard';
/**
 * Its name over HTTPS: browsers accept a `__Host-` cookie only host-only, Secure and on Path=/,
 * so a sibling dashboard host cannot plant one (cookie tossing).
 */
export const SECURE_DASHBOARD_COOKIE = `__Host-${DASHBOARD_COOKIE}`;
/** Path on a dashboard host where a code is traded for the cookie. */
export const DASHBOARD_LOGIN_PATH = '/_gatehouse/dashboard-login';
/** Seconds a code may wait to be traded. */
export const CODE_MAX_AGE = 60;
/** Seconds a dashboard cookie lasts. */
export const DASHBOARD_MAX_AGE = 8 * 3600;
/** At most this many live codes, and tokens, are kept (the oldest go first). */
const MAX_KEPT = 20_000;

/** A traded code: the cookie's token and the page to go to. */
export interface Redeemed {
  readonly token: string;
  readonly path: string;
}

/** The code and token store. */
export interface DashboardGrants {
  /** A single-use code letting `user` onto `cluster`'s dashboard host, landing on `path`. */
  issueCode(cluster: string, user: User, path: string): string;
  /** Trades a code presented on `cluster`'s host; null when unknown, used, expired or foreign. */
  redeem(code: string, cluster: string): Redeemed | null;
  /** The user a token was issued to, when it is live and for `cluster`; else null. */
  check(token: string, cluster: string): User | null;
  /** Drops every code and token of a cluster (it stopped). */
  revokeCluster(cluster: string): void;
  /** Set-Cookie value carrying `token` on a dashboard host. */
  cookie(token: string, secure: boolean): string;
}

/**
 * Every dashboard token in a Cookie header. All are returned, not just the first: over plain
 * HTTP a sibling dashboard host's script can set a same-named cookie for the parent domain, and
 * it must not hide the real one.
 */
export function dashboardTokens(cookieHeader: string | undefined): string[] {
  const out: string[] = [];
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq > 0 && (name === DASHBOARD_COOKIE || name === SECURE_DASHBOARD_COOKIE))
      out.push(part.slice(eq + 1).trim());
  }
  return out;
}

interface Entry {
  readonly cluster: string;
  readonly user: User;
  readonly path: string;
  readonly expires: number;
}

/** Creates an empty store. */
export function createDashboardGrants(clock: Clock): DashboardGrants {
  const codes = new Map<string, Entry>();
  const tokens = new Map<string, Entry>();

  const put = (map: Map<string, Entry>, entry: Entry): string => {
    if (map.size >= MAX_KEPT) {
      const now = clock.now();
      for (const [k, e] of map) if (e.expires <= now) map.delete(k);
      while (map.size >= MAX_KEPT) map.delete(map.keys().next().value ?? '');
    }
    const key = randomBytes(32).toString('base64url');
    map.set(key, entry);
    return key;
  };
  const live = (map: Map<string, Entry>, key: string, cluster: string): Entry | null => {
    const e = map.get(key);
    if (e === undefined) return null;
    if (e.expires <= clock.now()) {
      map.delete(key);
      return null;
    }
    return e.cluster === cluster ? e : null;
  };

  return {
    issueCode(cluster, user, path) {
      return put(codes, { cluster, user, path, expires: clock.now() + CODE_MAX_AGE * 1000 });
    },
    redeem(code, cluster) {
      const e = live(codes, code, cluster);
      // Single use: a code shown on the wrong host is spent too, so it cannot be retried.
      codes.delete(code);
      if (e === null) return null;
      const token = put(tokens, { ...e, expires: clock.now() + DASHBOARD_MAX_AGE * 1000 });
      return { token, path: e.path };
    },
    check(token, cluster) {
      return live(tokens, token, cluster)?.user ?? null;
    },
    revokeCluster(cluster) {
      for (const map of [codes, tokens])
        for (const [k, e] of map) if (e.cluster === cluster) map.delete(k);
    },
    cookie(token, secure) {
      const name = secure ? SECURE_DASHBOARD_COOKIE : DASHBOARD_COOKIE;
      return (
        `${name}=${token}; Path=/; Max-Age=${String(DASHBOARD_MAX_AGE)}; HttpOnly; ` +
        `SameSite=Lax${secure ? '; Secure' : ''}`
      );
    },
  };
}
