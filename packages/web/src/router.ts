/**
 * A minimal router over the History API for the pages under `<base>/ui/`.
 * @module
 */
import { useEffect, useState } from 'react';

/** The page path after `/ui` (e.g. `/`, `/new`, `/clusters/abc`) and its query. */
export interface Location {
  readonly path: string;
  readonly query: URLSearchParams;
}

function current(base: string): Location {
  const full = window.location.pathname;
  const root = `${base}/ui`;
  const path = full.startsWith(root) ? full.slice(root.length) || '/' : '/';
  return { path, query: new URLSearchParams(window.location.search) };
}

/** Goes to `path` (relative to the UI root) without reloading the page. */
export function navigate(base: string, path: string): void {
  window.history.pushState(null, '', `${base}/ui${path}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
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
