/**
 * A browser refused a dashboard gets a small HTML page saying what happened with a link back to
 * the web UI (issue 16); a script keeps the JSON error; a redirect to the login page is left
 * alone. The message is escaped.
 * @module
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { rawErrorAnswer } from '../errors-http.js';
import { createPublicServer, type PublicServer } from './public-server.js';
import { RouteTable } from './route-table.js';

describe('dashboard refusals for browsers', () => {
  let server: PublicServer;
  let port = 0;

  before(async () => {
    const routes = new RouteTable();
    for (const c of ['mine', 'theirs', 'login'])
      routes.setPath(`/clusters/${c}`, 'http://127.0.0.1:1');
    server = createPublicServer({
      routes,
      log: pino({ level: 'silent' }),
      prefix: '/gw',
      authorizeDashboard: (_req, cluster) => {
        if (cluster === 'login')
          return Promise.resolve({
            allow: false,
            status: 302,
            headers: { Location: '/gw/ui/login' },
            body: '',
          });
        const a = rawErrorAnswer('forbidden', `User <b>bob</b> may not view ${cluster}`, 'rid');
        return Promise.resolve({ allow: false, ...a });
      },
    });
    port = (await server.listen('127.0.0.1', 0)).port;
  });
  after(async () => {
    await server.close();
  });

  const get = async (path: string, accept: string) => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ port, host: '127.0.0.1', path, headers: { accept } }, resolve).on('error', reject);
    });
    let body = '';
    for await (const chunk of res) body += String(chunk);
    return { status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body };
  };

  it('shows a browser a page with the reason and a way back', async () => {
    const r = await get('/clusters/theirs/status', 'text/html,application/xhtml+xml,*/*;q=0.8');
    assert.equal(r.status, 403);
    assert.match(r.type, /^text\/html/);
    assert.match(r.body, /You may not open this dashboard/);
    assert.match(r.body, /User &lt;b&gt;bob&lt;\/b&gt; may not view theirs/);
    assert.match(r.body, /<a href="\/gw\/ui\/">Back to your clusters<\/a>/);
  });

  it('gives a script the JSON error (positive control)', async () => {
    const r = await get('/clusters/theirs/status', 'application/json');
    assert.equal(r.status, 403);
    assert.match(r.type, /^application\/json/);
    assert.equal((JSON.parse(r.body) as { code: string }).code, 'forbidden');
  });

  it('leaves a redirect to the login page alone', async () => {
    const r = await get('/clusters/login/status', 'text/html');
    assert.equal(r.status, 302);
  });
});
