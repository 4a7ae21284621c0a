/**
 * The gateway's API on a private address, for when a separately run proxy (`gatehouse proxy`)
 * owns the public port and forwards API requests here (already without the URL prefix).
 * @module
 */
import http from 'node:http';
import { writeRawError } from '../errors-http.js';
import { listenTcp } from './public-server.js';
import type { ApiHost, RequestHandler } from './ports.js';

/** The private API listener. */
export interface PrivateApiServer extends ApiHost {
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
  /** Stops accepting and closes open connections. */
  close(): Promise<void>;
}

/** Creates the private API server (not yet listening). */
export function createPrivateApiServer(): PrivateApiServer {
  let handler: RequestHandler = (_req, res) => {
    writeRawError(res, 'gateway_unavailable', 'The gateway is starting; try again shortly');
  };
  const httpServer = http.createServer((req, res) => {
    handler(req, res);
  });
  return {
    httpServer,
    setApiHandler(h) {
      handler = h;
    },
    listen: (host, port) => listenTcp(httpServer, host, port),
    close() {
      return new Promise((resolve) => {
        httpServer.close(() => {
          resolve();
        });
        httpServer.closeAllConnections();
      });
    },
  };
}
