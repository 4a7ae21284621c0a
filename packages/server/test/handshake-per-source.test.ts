/**
 * Issue 14 finding 5: idle connections from one source address filled the pending-handshake
 * limit, and every new connection was refused while they were held. The limit is per source
 * address now; these tests hold connections from 127.0.0.1 and connect from 127.0.0.2 (all of
 * 127/8 is local on Linux) with real sockets.
 * @module
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createPublicServer } from '../src/proxy/public-server.js';
import { RouteTable } from '../src/proxy/route-table.js';

const sockets: net.Socket[] = [];
const servers: Array<{ close(): Promise<void> }> = [];

/** A public server whose API answers 200 to everything. */
async function startServer(limits: object): Promise<number> {
  const server = createPublicServer({
    routes: new RouteTable(),
    log: pino({ level: 'silent' }),
    prefix: '',
    limits,
  });
  server.setApiHandler((_req, res) => {
    res.writeHead(200);
    res.end('ok');
  });
  servers.push(server);
  return (await server.listen('127.0.0.1', 0)).port;
}

/** A connected TCP socket from `localAddress`. */
async function connectFrom(localAddress: string, port: number): Promise<net.Socket> {
  const s = net.connect({ host: '127.0.0.1', port, localAddress });
  s.on('error', () => undefined);
  sockets.push(s);
  await once(s, 'connect');
  return s;
}

/** Whether `s` is closed by the server within `ms`. */
function closesWithin(s: net.Socket, ms: number): Promise<boolean> {
  if (s.closed) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(false);
    }, ms);
    s.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** The status line of a GET / sent on `s`. */
async function statusLine(s: net.Socket): Promise<string> {
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  s.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  await closesWithin(s, 10_000);
  return Buffer.concat(chunks).toString('latin1').split('\r\n')[0] ?? '';
}

describe('pending handshakes are limited per source address', () => {
  after(async () => {
    for (const s of sockets) s.destroy();
    for (const s of servers) await s.close();
  });

  it("one source's idle connections do not block another source", async () => {
    const limits = { helloTimeoutMs: 60_000, maxPendingHellos: 40, maxPendingHellosPerSource: 8 };
    const port = await startServer(limits);
    const held: net.Socket[] = [];
    for (let i = 0; i < 40; i++) held.push(await connectFrom('127.0.0.1', port));
    // Control: the limit is active, the flooding source keeps only its 8 newest waiting.
    assert.equal(await closesWithin(held[0] as net.Socket, 5000), true, 'the oldest is closed');
    assert.equal(await closesWithin(held[31] as net.Socket, 5000), true);
    assert.equal(await closesWithin(held[39] as net.Socket, 200), false, 'the newest wait');
    // Another source address is served while the flood is held.
    const other = await connectFrom('127.0.0.2', port);
    assert.match(await statusLine(other), /^HTTP\/1\.1 200 /, 'another source is served');
    // So is a client of the flooding address that sends its request at once (a scheduler on
    // the gateway's host shares 127.0.0.1 with local users).
    const same = await connectFrom('127.0.0.1', port);
    assert.match(await statusLine(same), /^HTTP\/1\.1 200 /, 'a prompt client is served');
  });

  it('past the global limit, the source holding the most loses its oldest', async () => {
    const limits = { helloTimeoutMs: 60_000, maxPendingHellos: 6, maxPendingHellosPerSource: 6 };
    const port = await startServer(limits);
    const flood: net.Socket[] = [];
    for (let i = 0; i < 6; i++) flood.push(await connectFrom('127.0.0.1', port));
    const quiet = await connectFrom('127.0.0.3', port);
    assert.equal(await closesWithin(flood[0] as net.Socket, 5000), true, 'the flood pays');
    const other = await connectFrom('127.0.0.2', port);
    assert.equal(await closesWithin(flood[1] as net.Socket, 5000), true);
    assert.equal(await closesWithin(quiet, 200), false, 'the quiet source keeps its one');
    assert.match(await statusLine(other), /^HTTP\/1\.1 200 /);
  });
});
