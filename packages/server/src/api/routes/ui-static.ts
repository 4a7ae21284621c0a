/**
 * Serves the built web UI (`packages/web/dist`) under `/ui/`: files by path, and `index.html`
 * for every other path under `/ui/` so the single-page app's own routes load, with a `<base>`
 * naming `<prefix>/ui/` so its relative asset URLs resolve from any depth. A `next` query that
 * `safeNext` refuses is taken off the address by a redirect, so the app never follows it. `GET /` sends browsers
 * to `/ui/`. Paths are confined to the UI directory.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { safeNext } from '@gatehouse/api/safe-next';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isBrowserRequest } from '../../auth/browser-session.js';
import { parseCookies } from '../../auth/session-cache.js';
import { notFound } from '../../errors.js';
import type { ApiApp } from '../api-app.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Registers `/ui/*` and the browser redirect of `/`; `prefix` is the gateway's URL prefix. */
export function registerUiStaticRoutes(app: ApiApp, opts: { dir: string; prefix: string }): void {
  const root = path.resolve(opts.dir);
  const index = path.join(root, 'index.html');

  const serve = async (req: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    if (!(await isFile(index)))
      throw notFound(`The web UI is not built (no ${index}); run: node scripts/setup.mjs`);
    const rel = decodeURIComponent(req.params['*'] ?? '');
    const file = path.resolve(root, rel);
    const inside = file.startsWith(`${root}${path.sep}`);
    if (inside && rel !== '' && (await isFile(file))) {
      const immutable = rel.startsWith('assets/');
      return reply
        .type(TYPES[path.extname(file)] ?? 'application/octet-stream')
        .header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(await readFile(file));
    }
    if (rel.startsWith('assets/')) throw notFound(`No such UI asset: ${rel}`);
    const query = new URLSearchParams(req.url.split('?')[1] ?? '');
    const next = query.get('next');
    if (next !== null && safeNext(next, opts.prefix) === null) {
      // The web app would send the browser there after login: take it off the address.
      query.delete('next');
      const rest = query.toString();
      return reply.redirect(`${opts.prefix}/ui/${encodeURI(rel)}${rest === '' ? '' : `?${rest}`}`);
    }
    return reply
      .type(TYPES['.html'] ?? 'text/html')
      .header('Cache-Control', 'no-cache')
      .header('X-Frame-Options', 'DENY')
      .send(
        (await readFile(index, 'utf8')).replace(
          '<head>',
          `<head><base href="${opts.prefix}/ui/" />`
        )
      );
  };

  app.get('/ui', { schema: { hide: true } }, (_req, reply) => reply.redirect(`${opts.prefix}/ui/`));
  app.get('/ui/*', { schema: { hide: true } }, serve);
  app.get('/', { schema: { hide: true } }, (req, reply) => {
    if (!isBrowserRequest(req.headers, parseCookies(req.headers.cookie)))
      throw notFound('Not Found: the API is under /api/, the web UI under /ui/');
    return reply.redirect(`${opts.prefix}/ui/`);
  });
}
