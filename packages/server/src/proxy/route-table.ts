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

/** One route as the proxy's control API carries it (kinds as in spec §7.5). */
export type Route =
  | { readonly kind: 'PATH'; readonly path: string; readonly target: string }
  | { readonly kind: 'SNI'; readonly sni: string; readonly target: string };

/** A route's identity without its target: what a DELETE names. */
export type RouteKey =
  { readonly kind: 'PATH'; readonly path: string } | { readonly kind: 'SNI'; readonly sni: string };

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

  /** Sets one route (replacing the target of an existing one). */
  put(route: Route): void {
    if (route.kind === 'PATH') this.setPath(route.path, route.target);
    else this.setSni(route.sni, route.target);
  }

  /** Removes one route; true when it existed. */
  delete(key: RouteKey): boolean {
    return key.kind === 'PATH'
      ? this.#paths.delete(`/${segments(key.path).join('/')}`)
      : this.#sni.delete(key.sni);
  }

  /** Every route, paths first, each list in insertion order. */
  list(): Route[] {
    return [
      ...[...this.#paths].map(([path, target]) => ({ kind: 'PATH' as const, path, target })),
      ...[...this.#sni].map(([sni, target]) => ({ kind: 'SNI' as const, sni, target })),
    ];
  }

  /** Snapshot of every route, for diagnostics. */
  entries(): { paths: Array<[string, string]>; sni: Array<[string, string]> } {
    return { paths: [...this.#paths], sni: [...this.#sni] };
  }
}
