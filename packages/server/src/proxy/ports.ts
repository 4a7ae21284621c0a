/**
 * The ports between the public port and what serves behind it: the API's request handler and
 * host, and the dashboard authorizer. A leaf module, so that the API (which implements them) and
 * the proxy (which calls them) do not import each other.
 * @module
 */
import type http from 'node:http';

/** Handles a request that no dashboard route claims. */
export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/**
 * Whether a dashboard request may pass, or the answer to send instead. `sandbox`: the answer is
 * served on the gateway's own origin, so it gets a sandboxing CSP (no script runs).
 */
export type DashboardVerdict =
  | { readonly allow: true; readonly sandbox?: boolean }
  | {
      readonly allow: false;
      readonly status: number;
      readonly headers: Readonly<Record<string, string>>;
      readonly body: string;
    };

/** Decides whether a request (or WebSocket upgrade) may reach the dashboard of `cluster`. */
export type DashboardAuthorizer = (
  req: Pick<http.IncomingMessage, 'headers' | 'method' | 'url'>,
  cluster: string
) => Promise<DashboardVerdict>;

/** An HTTP server the API framework serves on. */
export interface ApiHost {
  /** The HTTP server that API requests reach (give it to the API framework). */
  readonly httpServer: http.Server;
  /** Installs the API's request handler (everything not routed to a dashboard). */
  setApiHandler(handler: RequestHandler): void;
}
