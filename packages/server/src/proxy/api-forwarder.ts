/**
 * The API side of a separately run proxy: every request no dashboard route claims goes to the
 * gateway's private API address. While the gateway is down (restarting, upgrading) callers get
 * a prompt 503 with a JSON error saying so, never a hang.
 * @module
 */
import http from 'node:http';
import type { Logger } from 'pino';
import { createProxyServer } from 'http-proxy-3';
import { writeRawError } from '../errors-http.js';
import type { RequestHandler } from './ports.js';

/** The message callers read while the gateway cannot be reached. */
export const GATEWAY_UNAVAILABLE =
  'The gateway is not reachable right now (it may be restarting); try again in a few seconds';

/** Forwards API requests to `target` (an http URL); `close()` releases the proxy. */
export function createApiForwarder(
  target: string,
  log: Logger
): { readonly handler: RequestHandler; close(): void } {
  // Host is kept (no changeOrigin): the gateway sees the address the caller used.
  const proxy = createProxyServer({ target, xfwd: true });
  proxy.on('error', (err, req, res) => {
    log.info({ err: err.message, url: req.url }, 'gateway API not reachable');
    if (res instanceof http.ServerResponse) {
      writeRawError(res, 'gateway_unavailable', GATEWAY_UNAVAILABLE, { 'Retry-After': '5' });
    } else {
      res.destroy();
    }
  });
  return {
    handler: (req, res) => {
      proxy.web(req, res);
    },
    close: () => {
      proxy.close();
    },
  };
}
