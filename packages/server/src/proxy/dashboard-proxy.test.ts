/**
 * Host routing of the public port (issue 14): on a cluster's dashboard host only that cluster's
 * routes are served (never the API, never another cluster's dashboard), the authorizer is asked
 * with the host's cluster, and an answer served on the gateway's origin for a script carries the
 * sandboxing CSP in place of the dashboard's own. Controls: the same paths on the gateway's
 * origin reach the API and the dashboards.
 * @module
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createDashboardHosts } from './dashboard-host.js';
import { SANDBOX_CSP } from './dashboard-proxy.js';
import { createPublicServer, type PublicServer } from './public-server.js';
import { RouteTable } from './route-table.js';

describe('dashboard hosts on the public port', () => {
  const asked: string[] = [];
  const apiSaw: string[] = [];
  let dashboard: http.Server;
  let server: PublicServer;
  let port = 0;

  before(async () => {
    dashboard = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Security-Policy': "default-src 'self'" });
      res.end(`dashboard ${req.url ?? ''}`);
    });
    dashboard.listen(0, '127.0.0.1');
    await once(dashboard, 'listening');
    const base = `http://127.0.0.1:${String((dashboard.address() as net.AddressInfo).port)}`;
    const routes = new RouteTable();
    for (const c of ['c1', 'c2']) routes.setPath(`/clusters/${c}`, `${base}/clusters/${c}`);
    const hosts = createDashboardHosts('dash.test');
    server = createPublicServer({
      routes,
      log: pino({ level: 'silent' }),
      prefix: '',
      dashboardHostOf: (h) => hosts.clusterOf(h),
      authorizeDashboard: (req, cluster) => {
        asked.push(`${req.headers.host ?? ''} ${cluster}`);
        return Promise.resolve(
          req.headers.authorization === undefined ? { allow: true } : { allow: true, sandbox: true }
        );
      },
    });
    server.setApiHandler((req, res) => {
      apiSaw.push(req.url ?? '');
      res.end('api');
    });
    port = (await server.listen('127.0.0.1', 0)).port;
  });
  after(async () => {
    await server.close();
    dashboard.close();
  });

  const get = async (host: string, path: string, headers: Record<string, string> = {}) => {
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .get({ port, host: '127.0.0.1', path, headers: { host, ...headers } }, resolve)
        .on('error', reject);
    });
    let body = '';
    for await (const chunk of res) body += String(chunk);
    return { status: res.statusCode ?? 0, headers: res.headers, body };
  };

  it("serves a cluster's own routes on its host, and nothing else there", async () => {
    asked.length = 0;
    apiSaw.length = 0;
    const own = await get('c1.dash.test:8000', '/clusters/c1/status');
    assert.equal(own.body, 'dashboard /clusters/c1/status');
    assert.equal((await get('c1.dash.test', '/api/v1/clusters/')).status, 404);
    assert.equal((await get('c1.dash.test', '/clusters/c2/status')).status, 404);
    assert.equal((await get('c1.dash.test', '/ui/')).status, 404);
    assert.deepEqual(apiSaw, [], 'the API answered on a dashboard host');
    assert.ok(
      asked.every((a) => a.endsWith(' c1')),
      asked.join(', ')
    );
    // Control: the same paths on the gateway's origin reach the API and the other dashboard.
    assert.equal((await get('gateway.test', '/api/v1/clusters/')).body, 'api');
    assert.equal(
      (await get('gateway.test', '/clusters/c2/status')).body,
      'dashboard /clusters/c2/status'
    );
  });

  it("sandboxes a script's answer on the gateway's origin, replacing the dashboard's CSP", async () => {
    const r = await get('gateway.test', '/clusters/c1/status', { authorization: 'Basic eDp4' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-security-policy'], SANDBOX_CSP);
    // Control: not sandboxed, the dashboard's own CSP passes.
    const plain = await get('c1.dash.test', '/clusters/c1/status');
    assert.equal(plain.headers['content-security-policy'], "default-src 'self'");
  });
});
