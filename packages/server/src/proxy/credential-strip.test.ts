/**
 * No viewer credential reaches a scheduler (issue 14, finding 2): through a real public server
 * and a real listening stand-in dashboard, an HTTP request and a WebSocket upgrade carrying the
 * viewer's Authorization, Proxy-Authorization, gateway cookies and X-Gatehouse-* headers arrive
 * without them, and the dashboard's Set-Cookie never comes back. Control: an ordinary header
 * passes both ways, so the recording works.
 * @module
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { createPublicServer, type PublicServer } from './public-server.js';
import { RouteTable } from './route-table.js';

const CREDENTIALS = {
  Authorization: 'Basic YWRtaW46c2VjcmV0',
  'Proxy-Authorization': 'Basic cHJveHk6cHc=',
  Cookie: 'gatehouse-ui=s1; gatehouse-csrf=c1; dask-gateway-session=a1; gatehouse-dash=d1',
  'X-Gatehouse-CSRF': 'c1',
  'X-Gatehouse-Upgrade': '1',
};

describe('dashboard proxy strips credentials', () => {
  const seen: http.IncomingHttpHeaders[] = [];
  let dashboard: http.Server;
  let server: PublicServer;
  let port = 0;

  before(async () => {
    dashboard = http.createServer((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'Set-Cookie': 'planted=1; Path=/', 'X-Dashboard': 'yes' });
      res.end('ok');
    });
    dashboard.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      seen.push(req.headers);
      socket.end(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Set-Cookie: planted=1\r\nX-Dashboard: yes\r\n\r\n'
      );
    });
    dashboard.listen(0, '127.0.0.1');
    await once(dashboard, 'listening');
    const addr = dashboard.address() as net.AddressInfo;
    const routes = new RouteTable();
    routes.setPath('/clusters/c1', `http://127.0.0.1:${String(addr.port)}/clusters/c1`);
    server = createPublicServer({
      routes,
      log: pino({ level: 'silent' }),
      prefix: '',
      authorizeDashboard: () => Promise.resolve({ allow: true }),
    });
    port = (await server.listen('127.0.0.1', 0)).port;
  });
  after(async () => {
    await server.close();
    dashboard.close();
  });

  const assertStripped = (h: http.IncomingHttpHeaders | undefined) => {
    assert.ok(h !== undefined, 'the dashboard saw the request');
    assert.equal(h['x-custom'], 'kept', 'control: ordinary headers pass');
    for (const name of ['authorization', 'proxy-authorization', 'cookie'])
      assert.equal(h[name], undefined, `${name} reached the dashboard`);
    assert.deepEqual(
      Object.keys(h).filter((k) => k.startsWith('x-gatehouse-')),
      [],
      'X-Gatehouse-* reached the dashboard'
    );
  };

  it('HTTP: no credential forwarded, no Set-Cookie returned', async () => {
    seen.length = 0;
    const res = await fetch(`http://127.0.0.1:${String(port)}/clusters/c1/status`, {
      headers: { ...CREDENTIALS, 'X-Custom': 'kept' },
    });
    assert.equal(await res.text(), 'ok');
    assertStripped(seen[0]);
    assert.equal(res.headers.get('x-dashboard'), 'yes', 'control: ordinary headers come back');
    assert.equal(res.headers.get('set-cookie'), null, "the dashboard's Set-Cookie came back");
  });

  it('WebSocket upgrade: no credential forwarded, no Set-Cookie returned', async () => {
    seen.length = 0;
    const sock = net.connect(port, '127.0.0.1');
    const lines = Object.entries({ ...CREDENTIALS, 'X-Custom': 'kept' })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    sock.write(
      `GET /clusters/c1/ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${lines}\r\n`
    );
    let text = '';
    sock.on('data', (d: Buffer) => (text += d.toString()));
    await once(sock, 'close');
    assert.match(text, /^HTTP\/1\.1 101/);
    assertStripped(seen[0]);
    assert.match(text, /x-dashboard: yes/i, 'control: ordinary headers come back');
    assert.doesNotMatch(text, /set-cookie/i, "the dashboard's Set-Cookie came back");
  });
});
