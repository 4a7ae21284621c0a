/**
 * The proxy's routing state: HTTP path-prefix routes and TLS SNI routes (spec §7.2, §7.3).
 *
 * Path matching is by whole segments; the deepest matching route wins and its prefix is
 * stripped from the forwarded path.
 * @module
 */

/** A matched HTTP route and the path to forward. */
export interface PathMatch {
  readonly prefix: string;
  readonly target: string;
  /** The request path after the prefix, always starting with `/`, query string kept. */
  readonly rest: string;
}

function segments(p: string): string[] {
  const trimmed = p.replace(/^\//, '').replace(/\/$/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

/** Joins a target path and a forwarded path with exactly one slash between them. */
export function joinPaths(base: string, rest: string): string {
  if (rest === '' || rest === '/')
    return base === '' ? '/' : base.endsWith('/') ? base : `${base}/`;
  return `${base.replace(/\/+$/, '')}/${rest.replace(/^\/+/, '')}`;
}

/** Mutable routing tables. */
export class RouteTable {
  readonly #paths = new Map<string, string>();
  readonly #sni = new Map<string, string>();

  /** Routes requests under `prefix` to `target` (an http(s) URL, maybe with a path). */
  setPath(prefix: string, target: string): void {
    this.#paths.set(`/${segments(prefix).join('/')}`, target);
  }

  removePath(prefix: string): void {
    this.#paths.delete(`/${segments(prefix).join('/')}`);
  }

  /** Routes TLS connections whose SNI is `daskgateway-<name>` to `target` (`host:port`). */
  setSni(name: string, target: string): void {
    this.#sni.set(name, target.replace(/^tls:\/\//, ''));
  }

  removeSni(name: string): void {
    this.#sni.delete(name);
  }

  lookupSni(name: string): string | undefined {
    return this.#sni.get(name);
  }

  /** The deepest route whose segments prefix the request path, or null. */
  matchPath(url: string): PathMatch | null {
    const q = url.indexOf('?');
    const pathname = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? '' : url.slice(q);
    const segs = segments(pathname);
    for (let n = segs.length; n >= 0; n--) {
      const prefix = `/${segs.slice(0, n).join('/')}`;
      const target = this.#paths.get(prefix);
      if (target !== undefined) {
        const rest = `/${segs.slice(n).join('/')}${pathname.endsWith('/') && n < segs.length ? '/' : ''}`;
        return { prefix, target, rest: `${rest}${query}` };
      }
    }
    return null;
  }

  /** Snapshot of every route, for diagnostics. */
  entries(): { paths: Array<[string, string]>; sni: Array<[string, string]> } {
    return { paths: [...this.#paths], sni: [...this.#sni] };
  }
}
