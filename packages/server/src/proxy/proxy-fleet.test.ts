/**
 * Unit tests of several proxies fronting one gateway: client counts merged across them and
 * route sync reaching each proxy (two real control APIs on port 0).
 * @module
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createClientTracker } from './client-tracker.js';
import { createControlApi } from './control-api.js';
import { createProxyControlClient } from './control-client.js';
import { fleetRouteSync, mergeClients } from './proxy-fleet.js';
import { baseUrl } from './public-server.js';
import { createRouteSync } from './route-sync.js';
import { RouteTable } from './route-table.js';
import { systemClock } from '../clock.js';
import type { ApiApp } from '../api/api-app.js';

const TOKEN = 'fleet-token-0123456789';
const log = pino({ level: 'silent' });

describe('mergeClients', () => {
  it('sums open connections and keeps the latest close', () => {
    assert.deepEqual(
      mergeClients([
        { a: { open: 1, idle_ms: null }, b: { open: 0, idle_ms: 500 } },
        {
          a: { open: 0, idle_ms: 100 },
          b: { open: 0, idle_ms: 200 },
          c: { open: 2, idle_ms: null },
        },
      ]),
      {
        a: { open: 1, idle_ms: null },
        b: { open: 0, idle_ms: 200 },
        c: { open: 2, idle_ms: null },
      }
    );
  });
});

describe('fleetRouteSync against two real control APIs', () => {
  const apps: ApiApp[] = [];
  after(async () => {
    for (const a of apps) await a.close();
  });

  it('puts the table on every proxy', async () => {
    const tables = [new RouteTable(), new RouteTable()];
    const urls: string[] = [];
    for (const routes of tables) {
      const app = await createControlApi({
        routes,
        clients: createClientTracker(systemClock),
        token: TOKEN,
        clock: systemClock,
        log,
        info: () => ({ public_url: 'http://x', prefix: '', version: 't' }),
      });
      apps.push(app);
      await app.listen({ host: '127.0.0.1', port: 0 });
      const addr = app.server.address();
      assert.ok(addr !== null && typeof addr !== 'string');
      urls.push(baseUrl({ host: addr.address, port: addr.port }));
    }
    const mine = new RouteTable();
    mine.put({ kind: 'SNI', sni: 'c1', target: '127.0.0.1:9' });
    const sync = fleetRouteSync(
      urls.map((u) => createRouteSync(createProxyControlClient(u, TOKEN), mine, log))
    );
    await sync.request();
    for (const t of tables) assert.deepEqual(t.list(), mine.list());
  });
});
