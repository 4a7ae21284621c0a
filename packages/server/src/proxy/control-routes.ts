/**
 * The route-table routes of the proxy control API: `PUT` and `DELETE` of SNI routes (cluster
 * name → scheduler address) and PATH routes (path prefix → dashboard URL), each target checked
 * so the proxy can forward to it.
 * @module
 */
import { Type } from 'typebox';
import type { ApiApp } from '../api/api-app.js';
import { GatewayError } from '../errors.js';
import type { ClientTracker } from './client-tracker.js';
import { RouteTargetBody } from './control-schemas.js';
import type { RouteTable } from './route-table.js';

/** Rejects a target the proxy could not forward to. */
function checkTarget(kind: 'PATH' | 'SNI', target: string): string {
  if (kind === 'SNI') {
    const bare = target.replace(/^tls:\/\//, '');
    const m = /^(.+):(\d{1,5})$/.exec(bare);
    const port = Number(m?.[2]);
    if (m === null || port < 1 || port > 65535) {
      throw new GatewayError(
        'bad_request',
        `An SNI route target must be host:port (or tls://host:port), got ${JSON.stringify(target)}`
      );
    }
    return bare;
  }
  const url = URL.canParse(target) ? new URL(target) : null;
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new GatewayError(
      'bad_request',
      `A PATH route target must be an http:// or https:// URL, got ${JSON.stringify(target)}`
    );
  }
  return target;
}

/** The route path named by the URL after `/routes/path`, normalised to start with `/`. */
function routePath(rest: string): string {
  const p = `/${rest.replace(/^\/+|\/+$/g, '')}`;
  if (p === '/') {
    throw new GatewayError(
      'bad_request',
      'The root path belongs to the gateway API; only deeper PATH routes can be set'
    );
  }
  return p;
}

const SniParams = Type.Object({ name: Type.String({ minLength: 1 }) });
const RestParams = Type.Object({ '*': Type.String() });
const NoContent = { 204: Type.Null() };

/** Registers the routes that set and delete SNI and PATH routes. */
export function registerRouteTableRoutes(
  app: ApiApp,
  routes: RouteTable,
  clients: ClientTracker
): void {
  app.put(
    '/routes/sni/:name',
    { schema: { params: SniParams, body: RouteTargetBody, response: NoContent } },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      const { target } = req.body as { target: string };
      routes.setSni(name, checkTarget('SNI', target));
      return reply.code(204).send();
    }
  );
  app.delete(
    '/routes/sni/:name',
    { schema: { params: SniParams, response: NoContent } },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      routes.removeSni(name);
      clients.forget(name);
      return reply.code(204).send();
    }
  );
  app.put(
    '/routes/path/*',
    { schema: { params: RestParams, body: RouteTargetBody, response: NoContent } },
    async (req, reply) => {
      const path = routePath((req.params as { '*': string })['*']);
      const { target } = req.body as { target: string };
      routes.setPath(path, checkTarget('PATH', target));
      return reply.code(204).send();
    }
  );
  app.delete(
    '/routes/path/*',
    { schema: { params: RestParams, response: NoContent } },
    async (req, reply) => {
      routes.removePath(routePath((req.params as { '*': string })['*']));
      return reply.code(204).send();
    }
  );
}
