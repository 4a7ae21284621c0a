/**
 * A minimal router over the History API for the pages under `<base>/ui/`, and the pages its
 * paths name.
 * @module
 */
import { useEffect, useState } from 'react';

/** The page path after `/ui` (e.g. `/`, `/new`, `/clusters/abc`) and its query. */
export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

/** The page a path names; `unknown` for anything else (a not-found page). */
export type Route =
  | { readonly page: 'clusters' | 'new' | 'pool' | 'login' | 'unknown' }
  | { readonly page: 'admin'; readonly rest: string }
  | { readonly page: 'cluster'; readonly name: string };

/** The route of `path` (as in {@link Location}). */
export function routeOf(path: string): Route {
  const p = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (p === '/' || p === '') return { page: 'clusters' };
  if (p === '/new') return { page: 'new' };
  if (p === '/pool') return { page: 'pool' };
  if (p === '/login') return { page: 'login' };
  if (p === '/admin' || p.startsWith('/admin/'))
    return { page: 'admin', rest: p.slice('/admin'.length) };
  const m = /^\/clusters\/([^/]+)$/.exec(p);
  if (m?.[1] !== undefined) {
    try {
      return { page: 'cluster', name: decodeURIComponent(m[1]) };
    } catch {
      return { page: 'unknown' };
    }
  }
  return { page: 'unknown' };
}

function current(base: string): Location {
  const full = window.location.pathname;
  const root = `${base}/ui`;
  const path = full.startsWith(root) ? full.slice(root.length) || '/' : '/';
  return { path, query: new URLSearchParams(window.location.search) };
}

/** Goes to `path` (relative to the UI root, with its query if any) without reloading. */
export function navigate(base: string, path: string): void {
  window.history.pushState(null, '', `${base}/ui${path}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
  window.scrollTo(0, 0);
}

/** The current location, updated on navigation. */
export function useLocation(base: string): Location {
  const [loc, setLoc] = useState(() => current(base));
  useEffect(() => {
    const on = () => {
      setLoc(current(base));
    };
    window.addEventListener('popstate', on);
    return () => {
      window.removeEventListener('popstate', on);
    };
  }, [base]);
  return loc;
}
